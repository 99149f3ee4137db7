package e2e

import (
	"strings"
	"testing"
)

// TestOOMKilled: a process that needs more than --memory is killed by the
// kernel's OOM killer; run exits 137, inspect shows OOMKilled, and an
// `oom` event comes before `died`, for an attached and a detached run.
// A container that exits on its own within its limit is not marked, and
// the mark is cleared by the next start.
func TestOOMKilled(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	// Hogs memory on its first run only.
	hog := []string{"busybox", "sh", "-c", "[ -e /ran ] && exit 0; touch /ran; head -c 100m /dev/zero | tail"}

	r := env.Berth(append([]string{"run", "--name", "fg", "--memory", "16m"}, hog...)...)
	if r.ExitCode() != 137 {
		t.Fatalf("run of a memory hog under --memory 16m: %s", r)
	}
	env.MustBerth(t, append([]string{"run", "-d", "--name", "bg", "--memory", "16m", "--memory-swap", "16m"}, hog...)...)
	paWaitStatus(t, env, "bg", "exited")
	for _, ctr := range []string{"fg", "bg"} {
		if got := paInspect(t, env, ctr, "{{.State.OOMKilled}} {{.State.ExitCode}}"); got != "true 137" {
			t.Errorf("%s: OOMKilled and exit code = %q, want true 137", ctr, got)
		}
		out := env.MustBerth(t, "events", "--stream=false", "--filter", "container="+ctr, "--format", "{{.Status}}")
		if !strings.Contains(strings.Join(strings.Fields(out), " "), "oom died") {
			t.Errorf("%s: events %q, want oom then died", ctr, out)
		}
	}
	out := env.MustBerth(t, "events", "--stream=false", "--filter", "event=oom", "--format", "{{.Name}}")
	if got := strings.Fields(out); len(got) != 2 {
		t.Errorf("events --filter event=oom: %q, want fg and bg", out)
	}

	env.MustBerth(t, "run", "--name", "fits", "--memory", "16m", "busybox", "sh", "-c", "head -c 1m /dev/zero | tail >/dev/null")
	if got := paInspect(t, env, "fits", "{{.State.OOMKilled}} {{.State.ExitCode}}"); got != "false 0" {
		t.Errorf("within the limit: %q, want false 0", got)
	}

	// A later start clears the mark (the process it starts is not OOM-killed).
	if r := env.Berth("start", "-a", "fg"); r.ExitCode() != 0 {
		t.Fatalf("start -a fg : %s", r)
	}
	if got := paInspect(t, env, "fg", "{{.State.OOMKilled}}"); got != "false" {
		t.Errorf("after a clean run: OOMKilled = %s", got)
	}
}
