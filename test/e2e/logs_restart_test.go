package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// lrFollow starts `logs -f ctr` and returns its output buffer and a
// channel closed when it exits.
func lrFollow(t *testing.T, env *Env, ctr string) (*pbSyncBuffer, <-chan struct{}) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	var out pbSyncBuffer
	cmd := env.Command(ctx, "logs", "-f", ctr)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	return &out, done
}

func lrExited(done <-chan struct{}) bool {
	select {
	case <-done:
		return true
	default:
		return false
	}
}

// TestLogsFollowAcrossRestart: `logs -f` keeps following while the
// container is restarted by `restart` or by its restart policy, and ends
// once it stops for good.
func TestLogsFollowAcrossRestart(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	goFile := filepath.Join(env.TmpDir, "go")
	if err := os.WriteFile(goFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	count := func(b *pbSyncBuffer) int { return strings.Count(b.String(), "run\n") }

	// Restart policy: each run prints, waits for /go, and fails.
	env.MustBerth(t, "run", "-d", "--name", "pol", "--restart", "on-failure:1", "busybox", "sh", "-c",
		"echo run; while [ ! -e /go ]; do sleep 0.1; done; rm /go; exit 1")
	out, done := lrFollow(t, env, "pol")
	WaitFor(t, 20*time.Second, func() bool { return count(out) == 1 })
	env.MustBerth(t, "cp", goFile, "pol:/go")
	WaitFor(t, 30*time.Second, func() bool { return count(out) == 2 })
	if lrExited(done) {
		t.Fatalf("logs -f ended at the policy restart:\n%s", out.String())
	}
	env.MustBerth(t, "cp", goFile, "pol:/go")
	// The retry budget is spent: the container stays exited and follow ends.
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("logs -f still following an exited container:\n%s", out.String())
	}
	if count(out) != 2 {
		t.Errorf("logs -f printed %q, want two runs", out.String())
	}

	// `restart`.
	env.MustBerth(t, "run", "-d", "--name", "rs", "busybox", "sh", "-c", "echo run; exec sleep 1000")
	out, done = lrFollow(t, env, "rs")
	WaitFor(t, 20*time.Second, func() bool { return count(out) == 1 })
	env.MustBerth(t, "restart", "-t", "0", "rs")
	WaitFor(t, 20*time.Second, func() bool { return count(out) == 2 })
	if lrExited(done) {
		t.Fatalf("logs -f ended at restart:\n%s", out.String())
	}
	env.MustBerth(t, "stop", "-t", "0", "rs")
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("logs -f still following a stopped container:\n%s", out.String())
	}
}
