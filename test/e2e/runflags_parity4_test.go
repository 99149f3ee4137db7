package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// berthWithFiles runs berth with files as its file descriptors 3, 4, ...
func berthWithFiles(t *testing.T, env *Env, files []*os.File, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), DefaultTimeout)
	defer cancel()
	cmd := env.Command(ctx, args...)
	cmd.ExtraFiles = files
	return runResult(ctx, cmd, args, DefaultTimeout)
}

// TestRunPreserveFDs: --preserve-fds N and --preserve-fd LIST hand the
// caller's descriptors to the container at the same numbers; a gap below
// the highest --preserve-fd reads as empty; fds 0-2 and a closed fd are
// refused with a line naming them.
func TestRunPreserveFDs(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	var files []*os.File
	for _, name := range []string{"three", "four", "five"} {
		p := filepath.Join(env.TmpDir, name)
		if err := os.WriteFile(p, []byte(name+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		files = append(files, f)
	}
	r := berthWithFiles(t, env, files, "run", "--rm", "--preserve-fds", "2", "busybox", "sh", "-c", "cat <&3; cat <&4")
	if r.ExitCode() != 0 || r.Stdout() != "three\nfour\n" {
		t.Fatalf("--preserve-fds 2:\n%s", r)
	}
	r = berthWithFiles(t, env, files, "run", "--rm", "--preserve-fd", "5", "busybox", "sh", "-c", "cat <&5; cat <&3; echo end; cat <&6")
	if !strings.HasPrefix(r.Stdout(), "five\nend\n") || r.ExitCode() == 0 {
		t.Fatalf("--preserve-fd 5 (fd 3 an empty gap, fd 6 not passed):\n%s", r)
	}
	r = env.Berth("run", "--rm", "--preserve-fd", "2", "busybox", "true")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "cannot preserve FD 2") {
		t.Fatalf("--preserve-fd 2:\n%s", r)
	}
	env.MustBerth(t, "create", "--name", "closedfd", "--preserve-fd", "60", "busybox", "true")
	r = env.Berth("start", "closedfd")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "file descriptor 60 to preserve is not open") {
		t.Fatalf("--preserve-fd 60 (closed):\n%s", r)
	}
	if out := env.MustBerth(t, "inspect", "--format", "{{.State.Status}}", "closedfd"); out != "created" {
		t.Fatalf("after the refused start the container is %q, want created", out)
	}
}
