package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestExecCIDFileAndPreserveFDs covers exec --cidfile, --no-session and
// --preserve-fds: the process reads a file berth inherited as fd 3.
func TestExecCIDFileAndPreserveFDs(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	cid := filepath.Join(env.TmpDir, "cid")
	env.MustBerth(t, "run", "--network", "none", "-d", "--cidfile", cid, "--name", "exf", "busybox", "sleep", "1000")
	if got := env.MustBerth(t, "exec", "--cidfile", cid, "echo", "via", "cidfile"); got != "via cidfile" {
		t.Errorf("exec --cidfile = %q", got)
	}
	if r := env.Berth("exec", "--cidfile", filepath.Join(env.TmpDir, "none"), "true"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "no such file") {
		t.Errorf("exec --cidfile of a missing file:\n%s", r)
	}
	wantRefused(t, env.Berth("exec", "-l", "--cidfile", cid, "true"), "--latest and --cidfile")
	if got := env.MustBerth(t, "exec", "--no-session", "exf", "echo", "ok"); got != "ok" {
		t.Errorf("exec --no-session = %q", got)
	}
	wantRefused(t, env.Berth("exec", "--no-session", "-d", "exf", "true"), "--no-session cannot be used with --detach")

	data := filepath.Join(env.TmpDir, "data")
	_ = os.WriteFile(data, []byte("preserved content"), 0o644)
	f, err := os.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	run := func(args ...string) Result {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := env.Command(ctx, args...)
		cmd.ExtraFiles = []*os.File{f}
		return runResult(ctx, cmd, args, time.Minute)
	}
	if r := run("exec", "--preserve-fds", "1", "exf", "cat", "/proc/self/fd/3"); r.ExitCode() != 0 || r.Stdout() != "preserved content" {
		t.Errorf("exec --preserve-fds 1:\n%s", r)
	}
	// Without the flag the descriptor stays out.
	if r := run("exec", "exf", "cat", "/proc/self/fd/3"); r.ExitCode() == 0 {
		t.Errorf("exec without --preserve-fds passed fd 3:\n%s", r)
	}
	wantRefused(t, run("exec", "--preserve-fds", "2", "exf", "true"), "file descriptor 4 is not available")
}
