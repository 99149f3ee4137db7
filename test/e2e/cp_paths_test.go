package e2e

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// A container path without a leading "/" is relative to the container's
// working directory (podman, docker); "CTR:." is that directory.
func TestCpRelativeContainerPath(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	env.MustBerth(t, "create", "--name", "c", "-w", "/home/berthuser", "busybox")
	in := filepath.Join(env.TmpDir, "in.txt")
	if err := os.WriteFile(in, []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env.MustBerth(t, "cp", in, "c:rel.txt")
	// It landed in the working directory, not in "/".
	if r := env.Berth("cp", "c:/home/berthuser/rel.txt", filepath.Join(env.TmpDir, "abs.txt")); r.ExitCode() != 0 {
		t.Fatalf("c:rel.txt was not copied to the working directory:\n%s", r)
	}
	if r := env.Berth("cp", "c:/rel.txt", filepath.Join(env.TmpDir, "root.txt")); r.ExitCode() == 0 {
		t.Errorf("c:rel.txt was copied to /rel.txt")
	}
	out := filepath.Join(env.TmpDir, "out.txt")
	env.MustBerth(t, "cp", "c:rel.txt", out)
	if b, err := os.ReadFile(out); err != nil || string(b) != "hello\n" {
		t.Errorf("cp c:rel.txt: %q, %v; want hello", b, err)
	}
	wd := filepath.Join(env.TmpDir, "wd")
	if err := os.Mkdir(wd, 0o755); err != nil {
		t.Fatal(err)
	}
	env.MustBerth(t, "cp", "c:.", wd)
	if b, err := os.ReadFile(filepath.Join(wd, "rel.txt")); err != nil || string(b) != "hello\n" {
		t.Errorf("cp c:. DIR copied %q, %v; want the working directory's rel.txt", b, err)
	}
}

// Only "-" streams a tar; "-x" and "./-" are host files. A destination
// that is neither a directory nor a regular file gets podman's error.
func TestCpHostPathNotStream(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	env.MustBerth(t, "create", "--name", "c", "busybox")
	for _, dst := range []string{"-x", "./-"} {
		cmd := env.Command(context.Background(), "cp", "c:/etc/group", "--", dst)
		cmd.Dir = env.TmpDir
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("cp c:/etc/group -- %s: %v\n%s", dst, err, stderr.String())
		}
		if stdout.Len() != 0 {
			t.Errorf("cp c:/etc/group -- %s wrote %d bytes to stdout, want a file", dst, stdout.Len())
		}
		if b, err := os.ReadFile(filepath.Join(env.TmpDir, dst)); err != nil || !bytes.HasPrefix(b, []byte("root:x:0:")) {
			t.Errorf("host file %s: %q, %v; want /etc/group", dst, b, err)
		}
	}
	// Our own fifo and device node, never the host's /dev/null: a
	// regression would replace the node with the copied file.
	fifo, dev := filepath.Join(env.TmpDir, "fifo"), filepath.Join(env.TmpDir, "null")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mknod(dev, syscall.S_IFCHR|0o600, 1<<8|3); err != nil {
		t.Fatal(err)
	}
	// /dev/stdout is the harness's pipe here.
	for _, dst := range []string{"/dev/stdout", fifo, dev} {
		paExpectError(t, env.Berth("cp", "c:/etc/group", dst), 125, "invalid destination", dst, "must be a directory or a regular file")
	}
	if fi, err := os.Lstat(dev); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Errorf("the device node was replaced: %v, %v", fi, err)
	}
}
