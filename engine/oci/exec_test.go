package oci

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestExecConmonArgs(t *testing.T) {
	rt, cm := fakeBinaries(t)
	r, err := New(Config{Name: "runc", Path: rt, ConmonPath: cm, StateRoot: "/run/b/runc", ExitDir: "/run/b/exits", SocketDir: "/run/b/s"})
	if err != nil {
		t.Fatal(err)
	}
	o := ExecOptions{ContainerID: "ctr", SessionID: "sess", Name: "web", SessionDir: "/run/b/ctr/exec/sess", Terminal: true, Stdin: true}
	args := r.execConmonArgs(o)
	joined := strings.Join(args, " ")
	for _, want := range []string{
		"-c ctr", "-u sess", "-b /run/b/ctr/exec/sess", "--exit-dir /run/b/ctr/exec/sess/exit",
		"-e --exec-attach --exec-process-spec /run/b/ctr/exec/sess/process.json", "-l none",
		"--runtime-arg --root=/run/b/runc", " -t", " -i",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("exec conmon args lack %q:\n%s", want, joined)
		}
	}
	// The container's own files (its exit dir, its bundle) are not touched.
	if slices.Contains(args, "/run/b/exits") || slices.Contains(args, "--persist-dir") {
		t.Errorf("exec conmon args point at the container's files:\n%s", joined)
	}
	o.Terminal, o.Stdin = false, false
	if args := r.execConmonArgs(o); slices.Contains(args, "-t") || slices.Contains(args, "-i") {
		t.Errorf("no terminal, no stdin: %v", args)
	}
}

func TestExecExitCodeAndSyncReader(t *testing.T) {
	r := &Runtime{}
	dir := t.TempDir()
	if _, exists, err := r.ExecExitCode("ctr", dir); exists || err != nil {
		t.Fatalf("no exit file: exists %v err %v", exists, err)
	}
	if err := os.MkdirAll(filepath.Join(dir, execExitDirName), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, execExitDirName, "ctr"), []byte("137"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, exists, err := r.ExecExitCode("ctr", dir); code != 137 || !exists || err != nil {
		t.Fatalf("ExecExitCode = %d %v %v, want 137 true nil", code, exists, err)
	}

	// Conmon's two messages may arrive in one read: the second must not
	// be lost with the first read's buffer.
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	if _, err := pw.WriteString("{\"data\": 4242}\n{\"data\": 3}\n"); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	sr := newSyncReader(pr)
	for _, want := range []int{4242, 3} {
		msg, err := sr.read(context.Background())
		if err != nil || msg.Data != want {
			t.Fatalf("read = %+v, %v; want data %d", msg, err, want)
		}
	}
	if _, err := sr.read(context.Background()); err == nil {
		t.Fatal("read after the last message should fail")
	}
}
