package e2e

import (
	"os"
	"strings"
	"testing"
)

// The security defaults and flags, checked from inside real containers
// rather than in the generated spec.

// inside runs script with sh in a fresh busybox container (no network
// unless the flags say otherwise) and returns its trimmed output.
func inside(t *testing.T, env *Env, flags []string, script string) string {
	t.Helper()
	args := append([]string{"run", "--rm", "--network", "none"}, flags...)
	return env.MustBerth(t, append(args, "busybox", "sh", "-c", script)...)
}

// statusField returns a field of /proc/self/status as printed by grep.
func statusField(out, field string) string {
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func TestSecuritySeccompInside(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	// The default profile filters, and refuses unshare(CLONE_NEWUSER)
	// without CAP_SYS_ADMIN.
	const probe = `grep Seccomp: /proc/self/status; unshare -U true 2>/dev/null && echo unshare=ok || echo unshare=refused`
	out := inside(t, env, nil, probe)
	if statusField(out, "Seccomp") != "2" || !strings.Contains(out, "unshare=refused") {
		t.Errorf("default: %q, want Seccomp 2 and unshare refused", out)
	}
	out = inside(t, env, []string{"--security-opt", "seccomp=unconfined"}, probe)
	if statusField(out, "Seccomp") != "0" || !strings.Contains(out, "unshare=ok") {
		t.Errorf("seccomp=unconfined: %q, want Seccomp 0 and unshare allowed", out)
	}
	out = inside(t, env, []string{"--privileged"}, probe)
	if statusField(out, "Seccomp") != "0" {
		t.Errorf("privileged: %q, want Seccomp 0", out)
	}
	// A profile file is honoured: this one refuses mkdir.
	prof := env.TmpDir + "/no-mkdir.json"
	if err := os.WriteFile(prof, []byte(`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out = inside(t, env, []string{"--security-opt", "seccomp=" + prof}, `mkdir /tmp/d 2>/dev/null && echo mkdir=ok || echo mkdir=refused`)
	if out != "mkdir=refused" {
		t.Errorf("profile file: %q, want mkdir refused", out)
	}
}

func TestSecurityMaskedAndReadonlyPaths(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	out := inside(t, env, nil, `
		[ ! -e /proc/kcore ] || [ "$(head -c 1 /proc/kcore | wc -c)" = 0 ] && echo kcore=hidden
		[ "$(cat /proc/keys | wc -c)" = 0 ] && echo keys=empty
		[ -z "$(ls -A /sys/firmware)" ] && echo firmware=empty
		echo x > /proc/sys/kernel/domainname 2>/dev/null || echo sys=readonly
		echo h > /proc/sysrq-trigger 2>/dev/null || echo sysrq=readonly
		touch /sys/kernel/x 2>/dev/null || echo sysfs=readonly`)
	for _, w := range []string{"kcore=hidden", "keys=empty", "firmware=empty", "sys=readonly", "sysrq=readonly", "sysfs=readonly"} {
		if !strings.Contains(out, w) {
			t.Errorf("default container: missing %s in %q", w, out)
		}
	}
	// mask= hides one more path; unmask= shows a default one again.
	out = inside(t, env, []string{"--security-opt", "mask=/proc/cpuinfo", "--security-opt", "unmask=/proc/keys"},
		`echo cpuinfo=$(cat /proc/cpuinfo | wc -c); grep -c . /proc/keys >/dev/null && echo keys=visible`)
	if !strings.Contains(out, "cpuinfo=0") || !strings.Contains(out, "keys=visible") {
		t.Errorf("mask/unmask: %q", out)
	}
}

func TestSecurityNoNewPrivileges(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	// Off by default, like podman and docker.
	if got := statusField(inside(t, env, nil, "grep NoNewPrivs /proc/self/status"), "NoNewPrivs"); got != "0" {
		t.Errorf("default NoNewPrivs = %q, want 0", got)
	}
	if got := statusField(inside(t, env, []string{"--security-opt", "no-new-privileges"}, "grep NoNewPrivs /proc/self/status"), "NoNewPrivs"); got != "1" {
		t.Errorf("no-new-privileges: NoNewPrivs = %q, want 1", got)
	}
}

func TestSecurityReadOnlyRootfs(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	// Like podman's --read-only-tmpfs default: / is read-only, /tmp,
	// /var/tmp and /run are writable tmpfs.
	out := inside(t, env, []string{"--read-only"}, `
		touch /x 2>/dev/null || echo root=readonly
		for d in /tmp /var/tmp /run; do touch $d/x && grep -q "^tmpfs $d tmpfs rw," /proc/mounts && echo $d=tmpfs; done`)
	for _, w := range []string{"root=readonly", "/tmp=tmpfs", "/var/tmp=tmpfs", "/run=tmpfs"} {
		if !strings.Contains(out, w) {
			t.Errorf("--read-only: missing %s in %q", w, out)
		}
	}
	// --read-only-tmpfs=false: nothing writable, no tmpfs added.
	out = inside(t, env, []string{"--read-only", "--read-only-tmpfs=false"}, `
		for d in / /tmp /run; do touch $d/x 2>/dev/null && echo $d=writable; done
		grep -c '^tmpfs /tmp ' /proc/mounts || true`)
	if strings.Contains(out, "writable") || !strings.HasSuffix(strings.TrimSpace(out), "0") {
		t.Errorf("--read-only --read-only-tmpfs=false: %q", out)
	}
}

func TestSecurityCapabilitiesInside(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	tests := []struct {
		flags []string
		want  string
	}{
		{nil, "00000000800405fb"},
		{[]string{"--cap-drop", "ALL", "--cap-add", "NET_RAW"}, "0000000000002000"},
		{[]string{"--cap-add", "sys_admin"}, "00000000802405fb"},
		{[]string{"--cap-drop", "CAP_CHOWN"}, "00000000800405fa"},
	}
	for _, tt := range tests {
		out := inside(t, env, tt.flags, "grep -E 'Cap(Eff|Prm|Bnd)' /proc/self/status")
		for _, f := range []string{"CapEff", "CapPrm", "CapBnd"} {
			if got := statusField(out, f); got != tt.want {
				t.Errorf("%v: %s = %s, want %s", tt.flags, f, got, tt.want)
			}
		}
	}
}

func TestSecurityPrivilegedInside(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	// A host device the runtime does not create by default.
	var hostDev string
	entries, err := os.ReadDir("/dev")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Type()&os.ModeCharDevice != 0 && !strings.Contains(" null zero full random urandom tty console ptmx ", " "+e.Name()+" ") {
			hostDev = "/dev/" + e.Name()
			break
		}
	}
	if hostDev == "" {
		t.Fatal("no host character device besides the defaults")
	}
	script := `[ -c ` + hostDev + ` ] && echo dev=present; grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status; grep -q '^sysfs /sys sysfs rw' /proc/mounts && echo sys=rw; [ -n "$(ls -A /sys/firmware)" ] && echo firmware=visible; true`
	out := inside(t, env, []string{"--privileged"}, script)
	for _, w := range []string{"dev=present", "sys=rw", "firmware=visible"} {
		if !strings.Contains(out, w) {
			t.Errorf("privileged: missing %s in %q", w, out)
		}
	}
	if statusField(out, "Seccomp") != "0" {
		t.Errorf("privileged: %q, want no seccomp", out)
	}
	out = inside(t, env, nil, script)
	if strings.Contains(out, "dev=present") || strings.Contains(out, "sys=rw") || strings.Contains(out, "firmware=visible") {
		t.Errorf("unprivileged sees %q", out)
	}
}

func TestSecurityMountsAndSysctlsInside(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	out := inside(t, env, []string{
		"--tmpfs", "/scratch:size=1m,mode=750,noexec",
		"--sysctl", "net.ipv4.ip_forward=1", "--sysctl", "kernel.shmmax=12345",
		"--add-host", "db.example:10.1.2.3",
	}, `grep ' /scratch ' /proc/mounts; echo fwd=$(cat /proc/sys/net/ipv4/ip_forward) shm=$(cat /proc/sys/kernel/shmmax); grep db.example /etc/hosts`)
	if !strings.Contains(out, "tmpfs /scratch tmpfs rw,") || !strings.Contains(out, "size=1024k") || !strings.Contains(out, "mode=750") || !strings.Contains(out, "noexec") {
		t.Errorf("--tmpfs: %q", out)
	}
	if !strings.Contains(out, "fwd=1 shm=12345") {
		t.Errorf("--sysctl: %q", out)
	}
	if !strings.Contains(out, "10.1.2.3\tdb.example") {
		t.Errorf("--add-host: %q", out)
	}
}

// cgroupFile prints a limit file of the container's own cgroup, on cgroup
// v1 (PATH1 under its controller) or v2 (PATH2).
func cgroupFile(v1, v2 string) string {
	return `cat /sys/fs/cgroup/` + v1 + ` 2>/dev/null || cat /sys/fs/cgroup/` + v2
}

func TestSecurityResourceLimitsInside(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	out := inside(t, env, []string{"--pids-limit", "20"}, cgroupFile("pids/pids.max", "pids.max"))
	if out != "20" {
		t.Errorf("--pids-limit 20: pids.max %q", out)
	}
	// Forking past the limit fails inside.
	r := env.Berth("run", "--rm", "--network", "none", "--pids-limit", "5", "busybox", "sh", "-c",
		`for i in 1 2 3 4 5 6 7 8; do sleep 5 & done; echo started=$(jobs -p | wc -l)`)
	if r.ExitCode() == 0 && strings.Contains(r.Stdout(), "started=8") {
		t.Errorf("--pids-limit 5 let 8 background processes start:\n%s", r)
	}
	out = inside(t, env, []string{"--cpus", "0.5"}, cgroupFile("cpu/cpu.cfs_quota_us", "cpu.max"))
	if out != "50000" && out != "50000 100000" {
		t.Errorf("--cpus 0.5: quota %q", out)
	}
	// Swap: memory+swap 128m on v1 (memsw), the swap part alone on v2.
	r = env.Berth("run", "--rm", "--network", "none", "--memory", "64m", "--memory-swap", "128m", "busybox", "sh", "-c",
		cgroupFile("memory/memory.memsw.limit_in_bytes", "memory.swap.max"))
	if r.ExitCode() != 0 {
		t.Fatalf("--memory-swap:\n%s", r)
	}
	_, errV1 := os.Stat("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes")
	_, errV2 := os.Stat("/sys/fs/cgroup/memory.swap.max")
	got := strings.TrimSpace(r.Stdout())
	switch {
	case errV1 == nil && got != "134217728":
		t.Errorf("--memory-swap 128m: memsw limit %q, want 134217728", got)
	case errV1 != nil && errV2 == nil && got != "67108864":
		t.Errorf("--memory-swap 128m: swap.max %q, want 67108864", got)
	}
}

// apparmor= and label= are honoured or refused, never ignored. This host
// has neither AppArmor nor SELinux: naming a profile or a label fails
// with the reason and creates nothing; unconfined and disable are what
// the container gets anyway.
func TestSecurityOptMACOnThisHost(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/sys/kernel/security/apparmor"); err == nil {
		t.Skip("AppArmor is enabled on this host; the generate unit tests cover it")
	}
	if _, err := os.Stat("/sys/fs/selinux/enforce"); err == nil {
		t.Skip("SELinux is enabled on this host; the generate unit tests cover it")
	}
	env := NewEnv(t)
	env.ImportBusybox(t)
	for opt, want := range map[string]string{
		"apparmor=my-profile": `apparmor profile "my-profile" specified, but AppArmor is not enabled on this host`,
		"label=type:spc_t":    `selinux label "type:spc_t" specified, but SELinux is not enabled on this host`,
		"label=bogus":         `bad label option "bogus"`,
		"bogus":               `invalid --security-opt 1: "bogus"`,
		"bogus=1":             `invalid --security-opt 2: "bogus=1"`,
	} {
		r := env.Berth("run", "--rm", "--network", "none", "--security-opt", opt, "busybox", "true")
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), want) {
			t.Errorf("--security-opt %s: want exit 125 and %q:\n%s", opt, want, r)
		}
	}
	if out := env.MustBerth(t, "ps", "-aq"); out != "" {
		t.Errorf("refused options left containers: %q", out)
	}
	id := env.MustBerth(t, "create", "--security-opt", "apparmor=unconfined", "--security-opt", "label=disable",
		"--security-opt", "no-new-privileges", "--security-opt", "seccomp=unconfined", "busybox", "true")
	out := env.MustBerth(t, "inspect", "--format", "{{.AppArmorProfile}}|{{.ProcessLabel}}|{{.MountLabel}}|{{json .HostConfig.SecurityOpt}}", id)
	want := `|||["no-new-privileges","label=disable","seccomp=unconfined","apparmor=unconfined"]`
	if out != want {
		t.Errorf("inspect = %s, want %s", out, want)
	}
	env.MustBerth(t, "start", "--attach", id)
	env.MustBerth(t, "rm", id)
}
