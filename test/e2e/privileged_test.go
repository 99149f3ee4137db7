package e2e

import (
	"os"
	"strings"
	"testing"
)

// --privileged grants every capability berth itself may pass on (its
// bounding set), so it works on hosts that lack some capability.
func TestPrivilegedGetsBoundingSet(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	want := ""
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "CapBnd:"); ok {
			want = strings.TrimSpace(v)
		}
	}
	out := env.MustBerth(t, "run", "--rm", "--privileged", "--network", "none", "busybox", "sh", "-c", "grep CapEff /proc/self/status")
	got := strings.TrimSpace(strings.TrimPrefix(out, "CapEff:"))
	if got != want {
		t.Errorf("privileged CapEff = %s, want the bounding set %s", got, want)
	}
	// Without --privileged: podman's default set only.
	out = env.MustBerth(t, "run", "--rm", "--network", "none", "busybox", "sh", "-c", "grep CapEff /proc/self/status")
	if got := strings.TrimSpace(strings.TrimPrefix(out, "CapEff:")); got != "00000000800405fb" {
		t.Errorf("default CapEff = %s, want 00000000800405fb", got)
	}
}
