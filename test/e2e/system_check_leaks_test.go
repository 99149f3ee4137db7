package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSystemCheckLeaks: what no container of the root owns any more is
// reported by system check (exit 125) and removed by --repair: a network
// namespace and a /dev/shm mount of a container berth has no record of, a
// cgroup with a process of a container that is not running, the bridge
// and firewall rules of a network whose definition is gone. A running
// container's mounts, namespace and cgroup are not touched.
func TestSystemCheckLeaks(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	env.MustBerth(t, "network", "create", "--subnet", "10.245.100.0/24", "leaknet")
	env.MustBerth(t, "run", "-d", "--name", "live", "--network", "leaknet", "busybox", "sleep", "600")
	env.MustBerth(t, "run", "--name", "done", "busybox", "true")
	if out := env.MustBerth(t, "system", "check"); out != "No problems found" {
		t.Fatalf("system check with a running container: %q", out)
	}

	// A network namespace and a /dev/shm of a container berth does not know.
	ghost := strings.Repeat("ab", 32)
	nsPath := filepath.Join(env.RunRoot, "berth", "netns", ghost)
	if err := os.WriteFile(nsPath, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("unshare", "--net="+nsPath, "true").CombinedOutput(); err != nil {
		t.Fatalf("unshare --net: %v: %s", err, out)
	}
	t.Cleanup(func() { _ = syscall.Unmount(nsPath, syscall.MNT_DETACH) })
	shm := filepath.Join(env.RunRoot, "berth", "containers", ghost, "shm")
	if err := os.MkdirAll(shm, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("shm", shm, "tmpfs", 0, "size=1m"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(shm, syscall.MNT_DETACH) })

	// A process in the cgroup of the stopped container "done".
	doneID := env.MustBerth(t, "inspect", "--format", "{{.Id}}", "done")
	cg := "/sys/fs/cgroup/pids/berth/berth-" + doneID
	if _, err := os.Stat("/sys/fs/cgroup/pids"); err != nil {
		cg = "/sys/fs/cgroup/berth/berth-" + doneID // cgroup v2
	}
	if err := os.MkdirAll(cg, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Remove(cg) })
	stray := exec.Command("sleep", "600")
	if err := stray.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stray.Process.Kill(); _ = stray.Wait() })
	if err := os.WriteFile(filepath.Join(cg, "cgroup.procs"), []byte(strconv.Itoa(stray.Process.Pid)), 0o644); err != nil {
		t.Fatal(err)
	}
	strayDone := make(chan struct{})
	go func() { _ = stray.Wait(); close(strayDone) }()

	// A network whose definition file is gone (a crashed network rm):
	// its bridge stays until the next registry rewrite on the host, which
	// another test may do first.
	env.MustBerth(t, "network", "create", "--subnet", "10.245.101.0/24", "leakgone")
	env.MustBerth(t, "run", "--rm", "--network", "leakgone", "busybox", "true")
	bridge := env.MustBerth(t, "network", "inspect", "--format", "{{.NetworkInterface}}", "leakgone")
	if err := os.Remove(filepath.Join(env.Root, "berth", "networks", "leakgone.json")); err != nil {
		t.Fatal(err)
	}

	r := env.Berth("system", "check")
	out := r.Stdout()
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "damage found") {
		t.Errorf("system check with leaks: exit %d\n%s", r.ExitCode(), r)
	}
	for _, want := range []string{"Leaked network namespaces:", nsPath, "Leaked mounts:", shm, "Leaked cgroups:", doneID, "with 1 processes"} {
		if !strings.Contains(out, want) {
			t.Errorf("system check output lacks %q:\n%s", want, out)
		}
	}
	if linkExists(bridge) && !strings.Contains(out, "Leaked bridges:\n ID "+bridge+":") {
		t.Errorf("system check does not report bridge %s:\n%s", bridge, out)
	}
	liveID := env.MustBerth(t, "inspect", "--format", "{{.Id}}", "live")
	if strings.Contains(out, liveID) {
		t.Errorf("system check reports the running container:\n%s", out)
	}

	out = env.MustBerth(t, "system", "check", "--repair")
	for _, want := range []string{"Removed leaks:", "netns " + nsPath, "mount " + shm, "cgroup /berth/berth-" + doneID} {
		if !strings.Contains(out, want) {
			t.Errorf("system check --repair output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Lstat(nsPath); !os.IsNotExist(err) {
		t.Errorf("%s after --repair: %v", nsPath, err)
	}
	if ms, _ := mountsUnder(shm); len(ms) > 0 {
		t.Errorf("%s still mounted after --repair", shm)
	}
	select {
	case <-strayDone:
	case <-time.After(5 * time.Second):
		t.Errorf("the process in the stopped container's cgroup survived --repair")
	}
	if _, err := os.Stat(cg); !os.IsNotExist(err) {
		t.Errorf("cgroup %s after --repair: %v", cg, err)
	}
	if linkExists(bridge) {
		t.Errorf("bridge %s after --repair", bridge)
	}
	if out := env.MustBerth(t, "system", "check"); out != "No problems found" {
		t.Errorf("system check after --repair: %q", out)
	}
	if out := env.MustBerth(t, "exec", "live", "echo", "ok"); out != "ok" {
		t.Errorf("the running container after --repair: %q", out)
	}
}
