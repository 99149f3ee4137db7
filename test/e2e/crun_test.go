package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// crunNS is a private mount namespace in which the hybrid host's cgroup v2
// mount is gone, so that crun (which refuses hybrid hosts) runs as it does
// on a cgroup v1 host. A sleeping process keeps the namespace alive; every
// berth call of the test enters it with nsenter, so that all of them (and
// the conmon and cleanup processes they start) see the same mounts.
type crunNS struct {
	env   *Env
	pid   int
	crun  string
	sleep *exec.Cmd
}

// newCrunNS starts the namespace and registers its teardown: remove what
// is left inside (mounts made in it are invisible to the suite's leak
// check), then end the sleeper.
func newCrunNS(t *testing.T, env *Env) *crunNS {
	t.Helper()
	crun, err := exec.LookPath("crun")
	if err != nil {
		t.Fatalf("crun not installed (scripts/setup.sh installs it): %v", err)
	}
	if _, err := os.Stat("/sys/fs/cgroup/unified/cgroup.controllers"); err != nil {
		t.Skip("not a hybrid cgroup host: crun is tested by the rest of the suite there")
	}
	ready := env.TmpDir + "/crun-ns-ready"
	cmd := exec.Command("unshare", "-m", "--propagation", "private", "sh", "-c",
		`umount /sys/fs/cgroup/unified && touch "$0" && exec sleep 3600`, ready)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ns := &crunNS{env: env, pid: cmd.Process.Pid, crun: crun, sleep: cmd}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		if r := ns.berth("rm", "-af"); r.ExitCode() != 0 {
			t.Errorf("rm -af in the crun namespace:\n%s", r)
		}
		if out, err := exec.Command("nsenter", "-t", strconv.Itoa(ns.pid), "-m", "cat", "/proc/self/mounts").Output(); err == nil &&
			strings.Contains(string(out), env.Dir) {
			t.Errorf("mounts left in the crun namespace:\n%s", out)
		}
		_ = cmd.Process.Kill()
		<-done
	})
	WaitFor(t, 10*time.Second, func() bool {
		select {
		case err := <-done:
			done <- err
			t.Fatalf("namespace set-up exited: %v\n%s", err, stderr.String())
		default:
		}
		_, err := os.Stat(ready)
		return err == nil
	})
	return ns
}

// berth runs berth --runtime crun inside the namespace.
func (ns *crunNS) berth(args ...string) Result {
	ctx, cancel := context.WithTimeout(context.Background(), DefaultTimeout)
	defer cancel()
	full := append([]string{"-t", strconv.Itoa(ns.pid), "-m", berthBinary}, ns.env.args(append([]string{"--runtime", "crun"}, args...))...)
	cmd := exec.CommandContext(ctx, "nsenter", full...)
	cmd.Env = append(os.Environ(), ns.env.Environ...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	return runResult(ctx, cmd, append([]string{"(crun ns)"}, args...), DefaultTimeout)
}

func (ns *crunNS) must(t *testing.T, args ...string) string {
	t.Helper()
	r := ns.berth(args...)
	if r.Err != nil || r.ExitCode() != 0 {
		t.Fatalf("command failed:\n%s", r)
	}
	return strings.TrimSpace(r.Stdout())
}

// TestCrunSmoke runs the main verbs with crun, the default runtime on pure
// cgroup v2 hosts, which the rest of the suite (runc on this hybrid host)
// does not reach.
func TestCrunSmoke(t *testing.T) {
	env := NewEnv(t)
	ns := newCrunNS(t, env)
	ns.must(t, "import", "--change", "CMD=/bin/sh", busyboxTar, "busybox")

	// run --rm: output and the container's exit code.
	r := ns.berth("run", "--rm", "--network", "none", "busybox", "sh", "-c", "echo out; echo err >&2; exit 7")
	if r.ExitCode() != 7 || strings.TrimSpace(r.Stdout()) != "out" || !strings.Contains(r.Stderr(), "err") {
		t.Fatalf("run --rm with crun:\n%s", r)
	}

	// run -d, exec, logs, stop, rm; the container really runs under crun,
	// with the default security settings.
	ns.must(t, "run", "-d", "--name", "web", "busybox", "sh", "-c", "echo started; trap 'exit 0' TERM; while :; do sleep 0.1; done")
	if rt := ns.must(t, "inspect", "--format", "{{.OCIRuntime}}", "web"); rt != "crun" {
		t.Errorf("OCIRuntime = %q, want crun", rt)
	}
	out := ns.must(t, "exec", "web", "sh", "-c", "echo from exec; grep -E '^(Seccomp|CapEff):' /proc/self/status")
	if !strings.Contains(out, "from exec") || statusField(out, "Seccomp") != "2" || statusField(out, "CapEff") != "00000000800405fb" {
		t.Errorf("exec under crun: %q", out)
	}
	if r := ns.berth("exec", "web", "sh", "-c", "exit 3"); r.ExitCode() != 3 {
		t.Errorf("exec exit code:\n%s", r)
	}
	WaitFor(t, 10*time.Second, func() bool { return strings.Contains(ns.must(t, "logs", "web"), "started") })
	ns.must(t, "stop", "web")
	if st := ns.must(t, "inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", "web"); st != "exited 0" {
		t.Errorf("after stop: %q", st)
	}
	if out := ns.must(t, "logs", "web"); out != "started" {
		t.Errorf("logs after stop: %q", out)
	}
	ns.must(t, "rm", "web")

	// A bridge network container.
	net := "crun" + strconv.Itoa(os.Getpid()%10000)
	ns.must(t, "network", "create", net)
	out = ns.must(t, "run", "--rm", "--network", net, "busybox", "sh", "-c", "ip -4 -o addr show eth0")
	if !strings.Contains(out, "inet ") {
		t.Errorf("bridge container under crun has no address: %q", out)
	}
	ns.must(t, "network", "rm", net)

	if out := ns.must(t, "ps", "-aq"); out != "" {
		t.Errorf("containers left: %q", out)
	}
}
