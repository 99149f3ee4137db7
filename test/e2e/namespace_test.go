package e2e

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// nsOf is readlink /proc/self/ns/KIND in a throwaway container.
func nsOf(t *testing.T, env *Env, kind string, args ...string) string {
	t.Helper()
	run := append([]string{"run", "--rm"}, args...)
	run = append(run, "busybox", "readlink", "/proc/self/ns/"+kind)
	return strings.TrimSpace(env.MustBerth(t, run...))
}

func hostNS(t *testing.T, kind string) string {
	t.Helper()
	l, err := os.Readlink("/proc/self/ns/" + kind)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestNamespaceHostModes(t *testing.T) {
	t.Parallel()
	env := nwBusybox(t)
	for _, kind := range []string{"pid", "ipc", "uts"} {
		if got, want := nsOf(t, env, kind, "--"+kind, "host"), hostNS(t, kind); got != want {
			t.Errorf("--%s host: namespace %s, want the host's %s", kind, got, want)
		}
		if got, host := nsOf(t, env, kind), hostNS(t, kind); got == host {
			t.Errorf("default %s namespace is the host's %s", kind, host)
		}
	}
	// The host's init, not the container's command, is PID 1.
	out := env.MustBerth(t, "run", "--rm", "--pid", "host", "busybox", "cat", "/proc/1/cmdline")
	if strings.Contains(out, "cat") {
		t.Errorf("--pid host: PID 1 is the container's own: %q", out)
	}
	host, _ := os.Hostname()
	if out := strings.TrimSpace(env.MustBerth(t, "run", "--rm", "--uts", "host", "busybox", "hostname")); out != host {
		t.Errorf("--uts host: hostname %q, want %q", out, host)
	}
	// ns:PATH joins a namespace by path (this process's: PID 1 may be
	// in another user namespace in a sandbox).
	self := "ns:/proc/" + strconv.Itoa(os.Getpid()) + "/ns/uts"
	if got, want := nsOf(t, env, "uts", "--uts", self), hostNS(t, "uts"); got != want {
		t.Errorf("--uts %s: %s, want %s", self, got, want)
	}
	if got, host := nsOf(t, env, "cgroup", "--cgroupns", "private"), hostNS(t, "cgroup"); got == host {
		t.Errorf("--cgroupns private: still the host's namespace %s", host)
	}
	if got, want := nsOf(t, env, "cgroup", "--cgroupns", "host"), hostNS(t, "cgroup"); got != want {
		t.Errorf("--cgroupns host: %s, want %s", got, want)
	}
	r := env.Berth("run", "--rm", "--ipc", "none", "busybox", "ls", "/dev/shm")
	if r.ExitCode() == 0 || !strings.Contains(r.Stderr()+r.Stdout(), "No such file") {
		t.Errorf("--ipc none: /dev/shm exists:\n%s", r)
	}
	if out := env.MustBerth(t, "run", "--rm", "--ipc", "private", "busybox", "grep", " /dev/shm ", "/proc/mounts"); !strings.Contains(out, "tmpfs") {
		t.Errorf("--ipc private: /dev/shm is not a tmpfs: %q", out)
	}
}

func TestNamespaceJoinContainer(t *testing.T) {
	t.Parallel()
	env := nwBusybox(t)
	env.MustBerth(t, "run", "-d", "--name", "owner", "--hostname", "ownerhost", "busybox", "sleep", "1000")
	ownerNS := func(kind string) string {
		return strings.TrimSpace(env.MustBerth(t, "exec", "owner", "readlink", "/proc/self/ns/"+kind))
	}
	for _, kind := range []string{"pid", "ipc", "uts", "cgroup"} {
		flag := "--" + kind
		if kind == "cgroup" {
			flag = "--cgroupns"
		}
		if got, want := nsOf(t, env, kind, flag, "container:owner"), ownerNS(kind); got != want {
			t.Errorf("%s container:owner: %s, want the owner's %s", flag, got, want)
		}
	}
	out := env.MustBerth(t, "run", "--rm", "--pid", "container:owner", "busybox", "ps")
	if !strings.Contains(out, "sleep 1000") {
		t.Errorf("--pid container:owner: the owner's process is not visible:\n%s", out)
	}
	out = env.MustBerth(t, "run", "--rm", "--uts", "container:owner", "busybox", "sh", "-c", "hostname; cat /etc/hostname; echo $HOSTNAME")
	if strings.Count(out, "ownerhost") != 3 {
		t.Errorf("--uts container:owner: want the owner's hostname three times:\n%s", out)
	}
	// POSIX shared memory lives in /dev/shm: the joiner sees the owner's.
	env.MustBerth(t, "exec", "owner", "sh", "-c", "echo shared > /dev/shm/seg")
	out = env.MustBerth(t, "run", "--rm", "--ipc", "container:owner", "busybox", "cat", "/dev/shm/seg")
	if strings.TrimSpace(out) != "shared" {
		t.Errorf("--ipc container:owner: /dev/shm not shared: %q", out)
	}
	env.MustBerth(t, "run", "--rm", "--ipc", "container:owner", "busybox", "sh", "-c", "echo back > /dev/shm/back")
	if out := env.MustBerth(t, "exec", "owner", "cat", "/dev/shm/back"); strings.TrimSpace(out) != "back" {
		t.Errorf("the owner does not see the joiner's /dev/shm file: %q", out)
	}
	// Without a join, /dev/shm is the container's own.
	if r := env.Berth("run", "--rm", "busybox", "cat", "/dev/shm/seg"); r.ExitCode() == 0 {
		t.Errorf("a container that joins nothing sees the owner's /dev/shm:\n%s", r)
	}

	f := "{{.HostConfig.PidMode}} {{.HostConfig.IpcMode}} {{.HostConfig.UTSMode}} {{.HostConfig.CgroupMode}}"
	if out := strings.TrimSpace(env.MustBerth(t, "inspect", "--format", f, "owner")); out != "private shareable private host" && out != "private shareable private private" {
		t.Errorf("inspect owner: %q", out)
	}
	id := strings.TrimSpace(env.MustBerth(t, "inspect", "--format", "{{.Id}}", "owner"))
	env.MustBerth(t, "create", "--name", "joiner", "--pid", "container:owner", "--ipc", "container:owner", "--uts", "host", "--cgroupns", "private", "busybox", "true")
	want := "container:" + id + " container:" + id + " host private"
	if out := strings.TrimSpace(env.MustBerth(t, "inspect", "--format", f, "joiner")); out != want {
		t.Errorf("inspect joiner: %q, want %q", out, want)
	}
	if r := env.Berth("rm", "owner"); r.ExitCode() == 0 {
		t.Errorf("rm of a container whose namespaces another joins succeeded:\n%s", r)
	}
	env.MustBerth(t, "rm", "joiner")
	env.MustBerth(t, "rm", "-f", "-t", "0", "owner")
}

func TestNamespacePrivateIPCNotJoinable(t *testing.T) {
	t.Parallel()
	env := nwBusybox(t)
	env.MustBerth(t, "run", "-d", "--name", "priv", "--ipc", "private", "busybox", "sleep", "1000")
	r := env.Berth("run", "--rm", "--ipc", "container:priv", "busybox", "true")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "non-shareable IPC") {
		t.Errorf("joining a private IPC namespace:\n%s", r)
	}
	// Its other namespaces stay joinable.
	env.MustBerth(t, "run", "--rm", "--pid", "container:priv", "busybox", "true")
	env.MustBerth(t, "run", "-d", "--name", "shr", "--ipc", "shareable", "busybox", "sleep", "1000")
	env.MustBerth(t, "run", "--rm", "--ipc", "container:shr", "busybox", "true")
	env.MustBerth(t, "rm", "-f", "-t", "0", "priv", "shr")
}

func TestNamespaceBadValues(t *testing.T) {
	t.Parallel()
	env := nwBusybox(t)
	env.MustBerth(t, "create", "--name", "idle", "busybox", "true")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--pid", "bogus"}, "unrecognized namespace mode bogus passed"},
		{[]string{"--ipc", "sharable"}, "unrecognized namespace mode sharable passed"},
		{[]string{"--uts", "none"}, "unrecognized namespace mode none passed"},
		{[]string{"--pid", "shareable"}, "unrecognized namespace mode shareable passed"},
		{[]string{"--cgroupns", "nope"}, "unrecognized namespace mode nope passed"},
		{[]string{"--pid", "container:"}, "must provide name or ID"},
		{[]string{"--ipc", "ns:relative"}, "absolute path"},
		{[]string{"--uts", "host", "--hostname", "h"}, "cannot set hostname when running in the host UTS namespace"},
		{[]string{"--uts", "container:idle", "--hostname", "h"}, "cannot set hostname"},
		{[]string{"--pid", "container:nosuch"}, "no such container"},
	}
	for _, c := range cases {
		args := append(append([]string{"create"}, c.args...), "busybox", "true")
		r := env.Berth(args...)
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), c.want) || strings.Count(strings.TrimSpace(r.Stderr()), "\n") != 0 {
			t.Errorf("%v: want exit 125 and one line with %q:\n%s", c.args, c.want, r)
		}
	}
	if out := strings.TrimSpace(env.MustBerth(t, "ps", "-a", "-q")); strings.Count(out, "\n") != 0 {
		t.Errorf("bad values created containers: %q", out)
	}
	// idle's `true` exits at once after it is started as a dependency.
	r := env.Berth("run", "--rm", "--pid", "container:idle", "busybox", "true")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "not running") {
		t.Errorf("joining a container that does not run:\n%s", r)
	}
	env.MustBerth(t, "rm", "-f", "idle")
}
