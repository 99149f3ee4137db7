package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// procCgroups maps each cgroup v1 controller list (and "" for v2) of a
// process to its cgroup path.
func procCgroups(t *testing.T, pid string) map[string]string {
	t.Helper()
	data, err := os.ReadFile("/proc/" + pid + "/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.SplitN(line, ":", 3)
		if len(f) == 3 {
			out[f[1]] = f[2]
		}
	}
	return out
}

// callerCgroup makes a cgroup below the test's own in the pids and memory
// hierarchies, to run berth in as a systemd unit would run it, and
// removes it at the end (once conmon and its cleanup have left it).
func callerCgroup(t *testing.T) []string {
	t.Helper()
	own := procCgroups(t, "self")
	name := fmt.Sprintf("berth-e2e-caller-%d", os.Getpid())
	var dirs []string
	for _, ctl := range []string{"pids", "memory"} {
		if _, ok := own[ctl]; !ok {
			t.Skipf("no cgroup v1 %s hierarchy", ctl)
		}
		dir := filepath.Join("/sys/fs/cgroup", ctl, own[ctl], name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, dir)
	}
	t.Cleanup(func() {
		for _, d := range dirs {
			deadline := time.Now().Add(10 * time.Second)
			for os.Remove(d) != nil && time.Now().Before(deadline) {
				time.Sleep(100 * time.Millisecond)
			}
			if _, err := os.Stat(d); err == nil {
				t.Errorf("caller cgroup %s could not be removed", d)
			}
		}
	})
	return dirs
}

// berthIn runs berth after moving the shell that execs it into the
// cgroups dirs.
func berthIn(e *Env, dirs []string, args ...string) Result {
	ctx, cancel := context.WithTimeout(context.Background(), DefaultTimeout)
	defer cancel()
	script := ""
	for _, d := range dirs {
		script += "echo $$ > " + d + "/cgroup.procs && "
	}
	cmd := exec.CommandContext(ctx, "sh", append([]string{"-c", script + `exec "$@"`, "sh", berthBinary}, e.args(args)...)...)
	cmd.Env = append(os.Environ(), e.Environ...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	return runResult(ctx, cmd, args, DefaultTimeout)
}

// TestCgroupsSplit: with --cgroups=split conmon stays in the caller's
// cgroup and the container gets berth-payload-ID right below it (limits
// applied there); the payload cgroup goes with the container.
func TestCgroupsSplit(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	dirs := callerCgroup(t)
	own := procCgroups(t, "self")
	caller := "/" + strings.TrimPrefix(filepath.Join(own["memory"], filepath.Base(dirs[0])), "/")

	r := berthIn(env, dirs, "run", "-d", "--name", "s", "--network", "none", "--cgroups=split", "--memory", "64m", "busybox", "sleep", "300")
	if r.ExitCode() != 0 {
		t.Fatalf("run --cgroups=split:\n%s", r)
	}
	id := strings.TrimSpace(r.Stdout())
	pids := strings.Fields(env.MustBerth(t, "inspect", "--format", "{{.State.Pid}} {{.State.ConmonPid}}", "s"))
	ctr, conmon := procCgroups(t, pids[0]), procCgroups(t, pids[1])
	if conmon["memory"] != caller || conmon["pids"] != "/"+strings.TrimPrefix(filepath.Join(own["pids"], filepath.Base(dirs[0])), "/") {
		t.Errorf("conmon's cgroups %v: want the caller's %s", conmon, caller)
	}
	want := caller + "/berth-payload-" + id
	if ctr["memory"] != want || !strings.HasSuffix(ctr["pids"], "/"+filepath.Base(dirs[0])+"/berth-payload-"+id) {
		t.Errorf("container's cgroups %v: want %s", ctr, want)
	}
	limit, err := os.ReadFile(filepath.Join(dirs[1], "berth-payload-"+id, "memory.limit_in_bytes"))
	if err != nil || strings.TrimSpace(string(limit)) != strconv.Itoa(64<<20) {
		t.Errorf("payload memory limit %q (%v)", limit, err)
	}
	env.MustBerth(t, "rm", "-f", "-t", "0", "s")
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "berth-payload-"+id)); err == nil {
			t.Errorf("payload cgroup left in %s", d)
		}
	}

	// Bad combinations: one line, exit 125, nothing created.
	for _, bad := range [][]string{
		{"--cgroups=split", "--cgroup-parent", "/x"},
		{"--cgroups=bogus"},
	} {
		r := env.Berth(append(append([]string{"run", "--rm"}, bad...), "busybox", "true")...)
		if r.ExitCode() != 125 || len(r.Lines()) > 0 || !strings.Contains(r.Stderr(), "cgroup") {
			t.Errorf("run %v:\n%s", bad, r)
		}
	}
	if out := env.MustBerth(t, "ps", "-aq"); out != "" {
		t.Errorf("containers left: %q", out)
	}
}

// TestCgroupsDisabled: runc always makes a cgroup, so --cgroups=disabled
// is refused with podman's error; crun runs the container in conmon's
// (the caller's) cgroup, with none of its own.
func TestCgroupsDisabled(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	r := env.Berth("create", "--cgroups=disabled", "busybox", "true")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "requested OCI runtime runc is not compatible with NoCgroups") {
		t.Fatalf("create --cgroups=disabled with runc:\n%s", r)
	}
	if r := env.Berth("create", "--cgroups=disabled", "--runtime", "crun", "--memory", "64m", "busybox", "true"); r.ExitCode() != 125 ||
		!strings.Contains(r.Stderr(), "cannot set resource limits with --cgroups=disabled") {
		t.Errorf("limits with --cgroups=disabled:\n%s", r)
	}
	if out := env.MustBerth(t, "ps", "-aq"); out != "" {
		t.Fatalf("refused creates left containers: %q", out)
	}

	ns := newCrunNS(t, env)
	ns.must(t, "import", "--change", "CMD=/bin/sh", busyboxTar, "busybox")
	ns.must(t, "run", "-d", "--name", "d", "--network", "none", "--cgroups=disabled", "busybox", "sleep", "300")
	if c := ns.must(t, "inspect", "--format", "{{.HostConfig.Cgroups}}", "d"); c != "disabled" {
		t.Errorf("HostConfig.Cgroups = %q", c)
	}
	pids := strings.Fields(ns.must(t, "inspect", "--format", "{{.State.Pid}} {{.State.ConmonPid}}", "d"))
	ctr, conmon := procCgroups(t, pids[0]), procCgroups(t, pids[1])
	for ctl, p := range conmon {
		if ctl != "" && ctr[ctl] != p {
			t.Errorf("%s: container in %s, conmon in %s", ctl, ctr[ctl], p)
		}
	}
	if m, _ := filepath.Glob("/sys/fs/cgroup/*/berth/berth-" + ns.must(t, "inspect", "--format", "{{.Id}}", "d")); len(m) > 0 {
		t.Errorf("cgroups made for a --cgroups=disabled container: %v", m)
	}
	if out := ns.must(t, "exec", "d", "echo", "hi"); out != "hi" {
		t.Errorf("exec: %q", out)
	}
	// No cgroup: nothing to freeze, no limits to change.
	if r := ns.berth("pause", "d"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "cannot pause without using CGroups") {
		t.Errorf("pause:\n%s", r)
	}
	if r := ns.berth("update", "--memory", "64m", "d"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "--cgroups=disabled") {
		t.Errorf("update:\n%s", r)
	}
	ns.must(t, "rm", "-f", "-t", "0", "d")
}
