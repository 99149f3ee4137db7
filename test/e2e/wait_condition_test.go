package e2e

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestWaitCondition checks `wait --condition` against podman: -1 for a
// condition that is not an exit, the exit code for stopped/exited, any of
// several conditions, and a clear error for an unknown one.
func TestWaitCondition(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "create", "--name", "wc", "busybox", "sleep", "1000")

	// Waiting for running returns once another command starts it.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out pbSyncBuffer
	cmd := env.Command(ctx, "wait", "--condition", "running", "wc")
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	env.MustBerth(t, "start", "wc")
	if err := cmd.Wait(); err != nil || strings.TrimSpace(out.String()) != "-1" {
		t.Errorf("wait --condition running: %v, printed %q; want -1", err, out.String())
	}

	env.MustBerth(t, "pause", "wc")
	if got := env.MustBerth(t, "wait", "--condition", "running", "--condition", "paused", "wc"); got != "-1" {
		t.Errorf("wait for running or paused on a paused container = %q, want -1", got)
	}
	env.MustBerth(t, "unpause", "wc")
	env.MustBerth(t, "kill", "wc")
	if got := env.MustBerth(t, "wait", "--condition", "exited", "wc"); got != "137" {
		t.Errorf("wait --condition exited after kill = %q, want 137", got)
	}
	if got := env.MustBerth(t, "wait", "--condition", "stopped", "--condition", "running", "wc"); got != "137" {
		t.Errorf("wait --condition stopped,running on an exited container = %q, want 137", got)
	}
	if r := env.Berth("wait", "--condition", "bogus", "wc"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "bogus") {
		t.Errorf("wait --condition bogus: want exit 125\n%s", r)
	}
}
