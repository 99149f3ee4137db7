package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestExecPreserveFD: exec --preserve-fd 4 passes berth's fd 4 at the
// same number (fd 3, a gap, is an empty pipe); a descriptor berth does
// not have is refused.
func TestExecPreserveFD(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "--network", "none", "-d", "--name", "epf", "busybox", "sleep", "1000")
	data := filepath.Join(env.TmpDir, "data")
	_ = os.WriteFile(data, []byte("fd four"), 0o644)
	f, err := os.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	run := func(args ...string) Result {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := env.Command(ctx, args...)
		cmd.ExtraFiles = []*os.File{nil, f} // fd 4
		return runResult(ctx, cmd, args, time.Minute)
	}
	if r := run("exec", "--preserve-fd", "4", "epf", "sh", "-c", "cat /proc/self/fd/4; echo; cat /proc/self/fd/3; echo end"); r.ExitCode() != 0 || r.Stdout() != "fd four\nend\n" {
		t.Errorf("exec --preserve-fd 4:\n%s", r)
	}
	wantRefused(t, run("exec", "--preserve-fd", "4,9", "epf", "true"), "file descriptor 9 is not available")
	wantRefused(t, run("exec", "--preserve-fd", "1", "epf", "true"), "file descriptor 1 is not available")
}
