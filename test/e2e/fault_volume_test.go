package e2e

import (
	"os"
	"strings"
	"testing"
)

// TestFaultVolumeMountInit: the CLI killed while init mounts a volume
// with a filesystem of its own (a tmpfs volume), between recording the
// container's use and the volume's count (init-volume) or after both
// (init-created): after the next command's recovery the volume counts
// only its `volume mount` user, stays mounted for it, and is unmounted
// when that user goes: no count is left that nobody releases, and none
// is taken from another user.
func TestFaultVolumeMountInit(t *testing.T) {
	t.Parallel()
	for _, step := range []string{"init-volume", "init-created"} {
		t.Run(step, func(t *testing.T) {
			t.Parallel()
			env := paNewBusybox(t)
			env.MustBerth(t, "volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=size=1m", "tv")
			mp := env.MustBerth(t, "volume", "mount", "tv")
			faulty := *env
			faulty.Environ = append(append([]string{}, env.Environ...), "BERTH_FAULT="+step)
			r := faulty.Berth("run", "-d", "--name", "c", "--network", "none", "-v", "tv:/data", "busybox", "sleep", "600")
			t.Logf("faulted %s: exit %d", step, r.ExitCode())
			env.MustBerth(t, "ps", "-a")
			if r := env.Berth("system", "check"); r.ExitCode() != 0 {
				t.Errorf("system check after the fault:\n%s", r)
			}
			if got := env.MustBerth(t, "volume", "inspect", "--format", "{{.MountCount}}", "tv"); got != "1" {
				t.Errorf("MountCount after recovery = %s, want 1 (the volume mount)", got)
			}
			if !isMounted(mp) {
				t.Errorf("recovery unmounted %s under its volume mount user", mp)
			}
			env.MustBerth(t, "volume", "unmount", "tv")
			if got := env.MustBerth(t, "volume", "inspect", "--format", "{{.MountCount}}", "tv"); got != "0" || isMounted(mp) {
				t.Errorf("after volume unmount: MountCount %s, mounted %v", got, isMounted(mp))
			}
			faultCheckClean(t, env)
			// The volume works for a container afterwards.
			env.MustBerth(t, "rm", "-fa")
			if out := env.MustBerth(t, "run", "--rm", "--network", "none", "-v", "tv:/data", "busybox", "sh", "-c", "grep -c ' /data tmpfs' /proc/mounts"); out != "1" {
				t.Errorf("a later run: %q", out)
			}
			if got := env.MustBerth(t, "volume", "inspect", "--format", "{{.MountCount}}", "tv"); got != "0" || isMounted(mp) {
				t.Errorf("after a later run: MountCount %s, mounted %v", got, isMounted(mp))
			}
		})
	}
}

// isMounted reports whether a mount point is at path.
func isMounted(path string) bool {
	b, _ := os.ReadFile("/proc/self/mountinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 4 && f[4] == path {
			return true
		}
	}
	return false
}
