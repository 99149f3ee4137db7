package e2e

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// paSimulateReboot does to env what a reboot does: every container process
// and conmon dies at once (SIGKILL, conmon first so that nobody records an
// exit), all mounts under the env disappear, the container cgroups are gone
// and the run root (a tmpfs in real life) is empty.
func paSimulateReboot(t *testing.T, env *Env, ids []string, pids []int) {
	t.Helper()
	for _, pid := range pids {
		if pid > 0 {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	WaitFor(t, paWaitTimeout, func() bool {
		for _, pid := range pids {
			if paPidAlive(pid) {
				return false
			}
		}
		return true
	})
	// Nothing else of this env may survive a reboot either.
	for _, p := range processesUnder(env.Dir) {
		killTree(p.pid)
	}

	mounts, err := mountsUnder(env.Dir)
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(mounts, func(i, j int) bool { return len(mounts[i].Mountpoint) > len(mounts[j].Mountpoint) })
	for _, m := range mounts {
		if err := unix.Unmount(m.Mountpoint, unix.MNT_DETACH); err != nil {
			t.Fatalf("unmount %s: %v", m.Mountpoint, err)
		}
	}
	if left, _ := mountsUnder(env.Dir); len(left) != 0 {
		t.Fatalf("mounts remain after the simulated reboot: %v", left[0].Mountpoint)
	}

	// The cgroups of the killed containers (now empty) vanish as well.
	for _, id := range ids {
		for _, pattern := range []string{"/sys/fs/cgroup/*" + id + "*", "/sys/fs/cgroup/*/*" + id + "*", "/sys/fs/cgroup/*/*/*" + id + "*", "/sys/fs/cgroup/*/*/*/*" + id + "*"} {
			dirs, _ := filepath.Glob(pattern)
			for _, d := range dirs {
				_ = os.Remove(d)
			}
		}
	}

	if err := os.RemoveAll(env.RunRoot); err != nil {
		t.Fatalf("wipe the run root: %v", err)
	}
}

func TestRebootRecovery(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	id := env.MustBerth(t, "run", "-d", "--name", "rb", "busybox", "sleep", "1000")
	env.MustBerth(t, "create", "--name", "cr", "busybox", "echo", "created before the reboot")
	env.Berth("run", "--name", "ex", "busybox", "sh", "-c", "exit 3")
	crID := paInspect(t, env, "cr", "{{.ID}}")
	exID := paInspect(t, env, "ex", "{{.ID}}")

	pid := paAtoi(t, paInspect(t, env, "rb", "{{.State.Pid}}"))
	conmon := paAtoi(t, paInspect(t, env, "rb", "{{.State.ConmonPid}}"))
	if !paPidAlive(pid) || !paPidAlive(conmon) {
		t.Fatalf("before the reboot: pid %d / conmon %d not alive", pid, conmon)
	}
	paSimulateReboot(t, env, []string{id, crID, exID}, []int{conmon, pid})

	// After the reboot: the running container is reported as exited, the
	// others keep their state.
	for name, want := range map[string]string{"rb": "Exited", "cr": "Created", "ex": "Exited (3)"} {
		if st := paPsStatus(t, env, name); !strings.HasPrefix(st, want) {
			t.Errorf("ps -a after reboot: %s is %q, want %s...", name, st, want)
		}
	}
	if got := paInspect(t, env, "rb", "{{.State.Status}} {{.State.Running}} {{.State.Pid}}"); got != "exited false 0" {
		t.Errorf("inspect rb after reboot: %q, want exited false 0", got)
	}
	// No start time in the future or "292 years ago": it exited at the
	// reboot, after it started.
	if st := paPsStatus(t, env, "rb"); strings.Contains(st, "years") {
		t.Errorf("ps -a after reboot: rb is %q", st)
	}
	if got := paInspect(t, env, "ex", "{{.State.ExitCode}}"); got != "3" {
		t.Errorf("exit code of ex after reboot: %s, want 3", got)
	}
	if names := paPsNames(t, env); len(names) != 3 {
		t.Errorf("ps -a after reboot: %v, want rb, cr and ex", names)
	}
	// Nothing is running: ps without -a is empty.
	if out := env.MustBerth(t, "ps", "--format", "{{.Names}}"); out != "" {
		t.Errorf("ps after reboot lists %q, want nothing running", out)
	}

	// The container starts again, with a new process, and stops.
	if out := env.MustBerth(t, "start", "rb"); out != "rb" {
		t.Errorf("start printed %q", out)
	}
	newPid := paAtoi(t, paInspect(t, env, "rb", "{{.State.Pid}}"))
	if st := paStatus(env, "rb"); st != "running" || !paPidAlive(newPid) || newPid == pid {
		t.Errorf("after start: status %q pid %d (old %d), want running with a new live process", st, newPid, pid)
	}
	if out := env.MustBerth(t, "stop", "-t", "0", "rb"); out != "rb" {
		t.Errorf("stop printed %q", out)
	}
	if got := paInspect(t, env, "rb", "{{.State.Status}} {{.State.ExitCode}}"); got != "exited 137" {
		t.Errorf("after stop: %q, want exited 137", got)
	}
	if paPidAlive(newPid) {
		t.Errorf("process %d alive after stop", newPid)
	}

	// The other containers work too, and so do new ones.
	r := env.Berth("start", "-a", "cr")
	if r.ExitCode() != 0 || strings.TrimSpace(r.Stdout()) != "created before the reboot" {
		t.Errorf("start -a cr after reboot:\n%s", r)
	}
	if out := env.MustBerth(t, "run", "--rm", "busybox", "echo", "after"); out != "after" {
		t.Errorf("run after reboot printed %q", out)
	}
	env.MustBerth(t, "rm", "rb", "cr", "ex")
	paExpectNoContainers(t, env)
}

// TestRebootRunningRmContainer: a `run -d --rm` container that was running
// at the reboot is removed on the next start of berth rather than left
// behind as exited: its exit command never ran, and podman's post-reboot
// refresh likewise removes --rm containers that it finds exited.
func TestRebootRunningRmContainer(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	id := env.MustBerth(t, "run", "-d", "--rm", "--name", "tmp", "busybox", "sleep", "1000")
	pid := paAtoi(t, paInspect(t, env, "tmp", "{{.State.Pid}}"))
	conmon := paAtoi(t, paInspect(t, env, "tmp", "{{.State.ConmonPid}}"))
	paSimulateReboot(t, env, []string{id}, []int{conmon, pid})
	WaitFor(t, 10*time.Second, func() bool { return len(paPsNames(t, env)) == 0 })
	WaitFor(t, 10*time.Second, func() bool { return len(paStorageContainers(t, env)) == 0 })
}
