package e2e

import (
	"archive/tar"
	"bytes"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// cpTarEntries lists a tar stream as "name uid:gid mode" lines keyed by
// name.
func cpTarEntries(t testing.TB, data string) map[string]*tar.Header {
	t.Helper()
	out := map[string]*tar.Header{}
	tr := tar.NewReader(strings.NewReader(data))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("reading tar stream: %v", err)
		}
		out[strings.TrimSuffix(h.Name, "/")] = h
	}
}

// cpHostTree makes a tree with a binary file, an executable, a nested
// directory and a symlink, owned by 1234:5678.
func cpHostTree(t testing.TB, dir string) []byte {
	t.Helper()
	blob := make([]byte, 3<<20+17)
	if _, err := rand.Read(blob); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "sub", "deeper"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "blob.bin"), blob, 0o644))
	must(os.WriteFile(filepath.Join(dir, "sub", "run.sh"), []byte("#!/bin/sh\necho ran\n"), 0o750))
	must(os.WriteFile(filepath.Join(dir, "sub", "deeper", "secret"), []byte("s3cret\n"), 0o600))
	must(os.Chmod(filepath.Join(dir, "sub", "deeper"), 0o700))
	must(os.Symlink("sub/run.sh", filepath.Join(dir, "link")))
	must(filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, 1234, 5678)
	}))
	return blob
}

func cpCheckMode(t testing.TB, p string, want os.FileMode) {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Errorf("%s: %v", p, err)
		return
	}
	if fi.Mode() != want {
		t.Errorf("%s mode = %v, want %v", p, fi.Mode(), want)
	}
}

// TestCpRoundTrip copies a tree into a running container and back, and
// checks contents, modes, ownership rules and docker's path semantics.
func TestCpRoundTrip(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	src := filepath.Join(env.TmpDir, "tree")
	blob := cpHostTree(t, src)
	env.MustBerth(t, "run", "-d", "--name", "cp1", "busybox", "sleep", "1000")

	// A directory to a new path: created with the source's contents.
	env.MustBerth(t, "cp", src, "cp1:/data")
	// Back to a new host directory.
	back := filepath.Join(env.TmpDir, "back")
	env.MustBerth(t, "cp", "cp1:/data", back)
	got, err := os.ReadFile(filepath.Join(back, "blob.bin"))
	if err != nil || !bytes.Equal(got, blob) {
		t.Fatalf("binary file did not survive the round trip (err %v, %d bytes, want %d)", err, len(got), len(blob))
	}
	cpCheckMode(t, filepath.Join(back, "sub", "run.sh"), 0o750)
	cpCheckMode(t, filepath.Join(back, "sub", "deeper"), os.ModeDir|0o700)
	cpCheckMode(t, filepath.Join(back, "sub", "deeper", "secret"), 0o600)
	if l, err := os.Readlink(filepath.Join(back, "link")); err != nil || l != "sub/run.sh" {
		t.Errorf("symlink came back as %q, %v; want sub/run.sh", l, err)
	}

	// Ownership: --archive (the default) gives the files to the
	// container's user, --archive=false keeps the archive's IDs.
	tarOut := env.MustBerth(t, "cp", "cp1:/data", "-")
	entries := cpTarEntries(t, tarOut)
	if h := entries["data/blob.bin"]; h == nil || h.Uid != 0 || h.Gid != 0 || h.Size != int64(len(blob)) {
		t.Errorf("data/blob.bin in the container = %+v, want root-owned, %d bytes", h, len(blob))
	}
	env.MustBerth(t, "cp", "--archive=false", src, "cp1:/keep")
	entries = cpTarEntries(t, env.Berth("cp", "cp1:/keep/sub", "-").Stdout())
	if h := entries["sub/run.sh"]; h == nil || h.Uid != 1234 || h.Gid != 5678 || h.Mode&0o7777 != 0o750 {
		t.Errorf("sub/run.sh with --archive=false = %+v, want 1234:5678 mode 0750", h)
	}

	// A file into an existing directory keeps its name; onto a new
	// name takes that name; "dir/." copies the contents only.
	env.MustBerth(t, "cp", filepath.Join(src, "sub", "run.sh"), "cp1:/tmp")
	env.MustBerth(t, "cp", filepath.Join(src, "sub", "run.sh"), "cp1:/tmp/renamed.sh")
	env.MustBerth(t, "cp", src+"/.", "cp1:/tmp")
	names := cpTarEntries(t, env.MustBerth(t, "cp", "cp1:/tmp", "-"))
	for _, want := range []string{"tmp/run.sh", "tmp/renamed.sh", "tmp/blob.bin", "tmp/sub/deeper/secret"} {
		if names[want] == nil {
			t.Errorf("%s missing after the copies; have %v", want, cpKeys(names))
		}
	}
	if names["tmp/tree"] != nil {
		t.Errorf("copying tree/. created tmp/tree; want only the contents")
	}
	// Contents of a container directory into an existing host one.
	into := filepath.Join(env.TmpDir, "into")
	if err := os.Mkdir(into, 0o755); err != nil {
		t.Fatal(err)
	}
	env.MustBerth(t, "cp", "cp1:/data/sub/.", into)
	if _, err := os.Stat(filepath.Join(into, "run.sh")); err != nil {
		t.Errorf("cp ctr:/data/sub/. into an existing dir: %v", err)
	}

	// A tar stream on stdin is extracted into a directory.
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	_ = tw.WriteHeader(&tar.Header{Name: "streamed/", Typeflag: tar.TypeDir, Mode: 0o755, ModTime: time.Now()})
	_ = tw.WriteHeader(&tar.Header{Name: "streamed/hello", Typeflag: tar.TypeReg, Mode: 0o640, Size: 6, ModTime: time.Now()})
	_, _ = tw.Write([]byte("hello\n"))
	_ = tw.Close()
	if r := env.BerthStdin(bytes.NewReader(buf.Bytes()), "cp", "-", "cp1:/tmp"); r.ExitCode() != 0 {
		t.Fatalf("cp - ctr:/tmp:\n%s", r)
	}
	out := filepath.Join(env.TmpDir, "hello")
	env.MustBerth(t, "cp", "cp1:/tmp/streamed/hello", out)
	if data, _ := os.ReadFile(out); string(data) != "hello\n" {
		t.Errorf("streamed file = %q", data)
	}
	cpCheckMode(t, out, 0o640)

	// Between two containers.
	env.MustBerth(t, "create", "--name", "cp2", "busybox", "true")
	env.MustBerth(t, "cp", "cp1:/data/blob.bin", "cp2:/blob.bin")
	out2 := filepath.Join(env.TmpDir, "blob2")
	env.MustBerth(t, "cp", "cp2:/blob.bin", out2)
	if got, _ := os.ReadFile(out2); !bytes.Equal(got, blob) {
		t.Errorf("file copied between containers differs (%d bytes)", len(got))
	}

	// docker's and podman's errors, exit code 125, nothing created.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"cp1:/nonexist", filepath.Join(env.TmpDir, "x")}, `"/nonexist" could not be found on container cp1`},
		{[]string{filepath.Join(env.TmpDir, "nonexist"), "cp1:/tmp"}, "could not be found on the host"},
		{[]string{"cp1:/data", filepath.Join(back, "blob.bin")}, "destination must be a directory when copying a directory"},
		{[]string{src, "cp1:/data/blob.bin"}, "destination must be a directory when copying a directory"},
		{[]string{filepath.Join(src, "blob.bin"), "cp1:/nonexist/x"}, `"/nonexist/x" could not be found on container cp1`},
		{[]string{"-", "cp1:/data/blob.bin"}, "destination must be a directory when copying from stdin"},
		{[]string{src, filepath.Join(env.TmpDir, "y")}, "one of the paths must be CONTAINER:PATH"},
		{[]string{"nosuch:/etc", env.TmpDir}, "nosuch"},
	} {
		r := env.Berth(append([]string{"cp"}, tc.args...)...)
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), tc.want) {
			t.Errorf("cp %v: want exit 125 and %q\n%s", tc.args, tc.want, r)
		}
	}
	if _, err := os.Lstat(filepath.Join(env.TmpDir, "x")); err == nil {
		t.Errorf("a failed copy created its destination")
	}
}

func cpKeys(m map[string]*tar.Header) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestCpStoppedContainer copies into and out of containers that are not
// running: created, and exited.
func TestCpStoppedContainer(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	f := filepath.Join(env.TmpDir, "payload")
	if err := os.WriteFile(f, []byte("payload\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	env.MustBerth(t, "create", "--name", "fresh", "busybox", "cat", "/payload")
	env.MustBerth(t, "cp", f, "fresh:/payload")
	// The file is there when the container runs.
	if got := env.MustBerth(t, "start", "-a", "fresh"); got != "payload" {
		t.Errorf("container saw %q, want payload", got)
	}
	// Exited: what the container wrote can be copied out.
	env.MustBerth(t, "run", "--name", "done", "busybox", "sh", "-c", "echo result > /out.txt")
	out := filepath.Join(env.TmpDir, "out.txt")
	env.MustBerth(t, "cp", "done:/out.txt", out)
	if data, _ := os.ReadFile(out); string(data) != "result\n" {
		t.Errorf("copied %q out of an exited container", data)
	}
	// The temporary mounts are released: the container is not mounted.
	if mp := env.MustBerth(t, "inspect", "--format", "{{.GraphDriver.Data.MergedDir}}", "done"); mp != "" && mp != "<no value>" {
		if mounts, _ := mountsUnder(mp); len(mounts) > 0 {
			t.Errorf("rootfs of an exited container still mounted after cp: %s", mp)
		}
	}
}

// TestCpSymlinkEscape tries to leave the container through symlinks that
// point at "/" and "..", in both directions, on a running and a stopped
// container: every attempt must fail or stay inside the container.
func TestCpSymlinkEscape(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	// A host directory the container must never reach.
	hostDir := filepath.Join(env.TmpDir, "hostonly")
	if err := os.MkdirAll(hostDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(hostDir, "secret"), []byte("host secret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	payload := filepath.Join(env.TmpDir, "payload")
	if err := os.WriteFile(payload, []byte("payload\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	setup := "ln -s / /escape && ln -s ../../../../../../.. /tmp/up && mkdir -p /tmp/d && " +
		"ln -s " + hostDir + " /tmp/d/abs && ln -s " + hostDir + "/secret /tmp/secretlink"
	env.MustBerth(t, "run", "-d", "--name", "running", "busybox", "sh", "-c", setup+" && exec sleep 1000")
	env.MustBerth(t, "run", "--name", "stopped", "busybox", "sh", "-c", setup)
	WaitFor(t, 20*time.Second, func() bool {
		return env.Berth("cp", "running:/tmp/secretlink", "-").ExitCode() == 0
	})

	for _, ctr := range []string{"running", "stopped"} {
		// Reading: every route to the host's secret resolves inside
		// the container, where it does not exist.
		for _, p := range []string{"/escape" + hostDir + "/secret", "/tmp/up" + hostDir + "/secret",
			"/tmp/d/abs/secret", "/tmp/secretlink/", "/../../../.." + hostDir + "/secret"} {
			r := env.Berth("cp", ctr+":"+p, "-")
			if r.ExitCode() == 0 || strings.Contains(r.Stdout(), "host secret") {
				t.Errorf("cp %s:%s -: want failure, got exit %d with %d bytes", ctr, p, r.ExitCode(), len(r.Stdout()))
			}
		}
		// -L follows the link inside the container: not found there.
		if r := env.Berth("cp", "-L", ctr+":/tmp/secretlink", "-"); r.ExitCode() == 0 || strings.Contains(r.Stdout(), "host secret") {
			t.Errorf("cp -L %s:/tmp/secretlink: want failure\n%s", ctr, r)
		}
		// Without -L the link itself is copied, never its target.
		entries := cpTarEntries(t, env.MustBerth(t, "cp", ctr+":/tmp/secretlink", "-"))
		if h := entries["secretlink"]; h == nil || h.Typeflag != tar.TypeSymlink {
			t.Errorf("cp %s:/tmp/secretlink -: want the symlink itself, got %v", ctr, cpKeys(entries))
		}

		// Writing: through links to "/" the file lands in the
		// container's own directories, never on the host.
		for i, dst := range []string{"/escape/tmp", "/tmp/up/tmp", "/tmp/d/abs"} {
			name := "pwned-" + ctr + "-" + string(rune('a'+i))
			r := env.Berth("cp", payload, ctr+":"+dst+"/"+name)
			if _, err := os.Lstat(filepath.Join(hostDir, name)); err == nil {
				t.Errorf("cp to %s:%s wrote on the host", ctr, dst)
			}
			if _, err := os.Lstat(filepath.Join("/tmp", name)); err == nil {
				os.Remove(filepath.Join("/tmp", name))
				t.Errorf("cp to %s:%s wrote the host's /tmp", ctr, dst)
			}
			if dst != "/tmp/d/abs" && r.ExitCode() == 0 {
				// It must be inside the container's /tmp.
				if r2 := env.Berth("cp", ctr+":/tmp/"+name, "-"); r2.ExitCode() != 0 {
					t.Errorf("cp to %s:%s succeeded but the file is not in the container's /tmp\n%s", ctr, dst, r2)
				}
			}
		}
		// A tar stream whose entries go through a symlink to "/".
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		_ = tw.WriteHeader(&tar.Header{Name: "root", Typeflag: tar.TypeSymlink, Linkname: "/", Mode: 0o777})
		evil := "root" + hostDir + "/evil-" + ctr
		_ = tw.WriteHeader(&tar.Header{Name: evil, Typeflag: tar.TypeReg, Mode: 0o644, Size: 5})
		_, _ = tw.Write([]byte("evil\n"))
		_ = tw.WriteHeader(&tar.Header{Name: "../../../../" + hostDir + "/dotdot-" + ctr, Typeflag: tar.TypeReg, Mode: 0o644, Size: 5})
		_, _ = tw.Write([]byte("evil\n"))
		_ = tw.Close()
		env.BerthStdin(bytes.NewReader(buf.Bytes()), "cp", "-", ctr+":/tmp/d")
		for _, n := range []string{"evil-" + ctr, "dotdot-" + ctr} {
			if _, err := os.Lstat(filepath.Join(hostDir, n)); err == nil {
				t.Errorf("tar stream into %s wrote %s on the host", ctr, n)
			}
		}
	}
	if data, _ := os.ReadFile(filepath.Join(hostDir, "secret")); string(data) != "host secret\n" {
		t.Errorf("host secret changed: %q", data)
	}
}
