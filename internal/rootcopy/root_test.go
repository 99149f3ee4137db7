package rootcopy

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// newRoot makes root/ with symlinks that try to leave it, next to a
// secret file outside.
func newRoot(t *testing.T) (dir, outside string, r *Root) {
	t.Helper()
	base := t.TempDir()
	dir, outside = filepath.Join(base, "root"), filepath.Join(base, "outside")
	for _, d := range []string{filepath.Join(dir, "etc"), outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "etc", "passwd"), []byte("root:x:0:0::/root:/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{"esc": "/", "up": "../../../../..", "abs": outside, "pw": "/etc/passwd"} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return dir, outside, r
}

func TestResolveStaysInside(t *testing.T) {
	_, outside, r := newRoot(t)
	tests := map[string]string{
		"/esc/etc/passwd":            "/etc/passwd",
		"up/etc":                     "/etc",
		"/abs/secret":                outside + "/secret",
		"/../../etc/passwd":          "/etc/passwd",
		"pw":                         "/etc/passwd",
		"/esc/up/esc/missing/x/../y": "/missing/y",
	}
	for in, want := range tests {
		got, err := r.Resolve(in)
		if err != nil || got != want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	// The in-root path of "abs" is a path inside the root: it does not
	// exist there, whatever exists on the host.
	if _, err := r.Stat("/abs/secret"); err == nil {
		t.Errorf("Stat(/abs/secret) found the host's file")
	}
	if st, err := r.Stat("/pw"); err != nil || st.LinkTarget != "/etc/passwd" || st.Mode&os.ModeSymlink == 0 {
		t.Errorf("Stat(/pw) = %+v, %v; want a symlink to /etc/passwd", st, err)
	}
}

func TestTarDoesNotFollowLinks(t *testing.T) {
	_, _, r := newRoot(t)
	var buf bytes.Buffer
	if err := r.Tar(&buf, "/", "."); err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(&buf)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(tr)
		if string(data) == "secret" {
			t.Errorf("archive entry %s holds the file outside the root", h.Name)
		}
		if (h.Name == "./esc" || h.Name == "./abs") && h.Typeflag != tar.TypeSymlink {
			t.Errorf("%s archived as type %c, want a symlink", h.Name, h.Typeflag)
		}
	}
	if err := r.Tar(io.Discard, "/abs/secret", "secret"); err == nil {
		t.Errorf("Tar through an absolute link reached the host")
	}
}

func TestUntarStaysInside(t *testing.T) {
	dir, outside, r := newRoot(t)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	uid, gid := os.Getuid(), os.Getgid()
	add := func(h *tar.Header, body string) {
		h.Uid, h.Gid, h.Size = uid, gid, int64(len(body))
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		_, _ = tw.Write([]byte(body))
	}
	add(&tar.Header{Name: "link", Typeflag: tar.TypeSymlink, Linkname: outside, Mode: 0o777}, "")
	add(&tar.Header{Name: "link/evil", Typeflag: tar.TypeReg, Mode: 0o644}, "evil")
	add(&tar.Header{Name: "../../outside/dotdot", Typeflag: tar.TypeReg, Mode: 0o644}, "evil")
	add(&tar.Header{Name: "esc" + outside + "/viaesc", Typeflag: tar.TypeReg, Mode: 0o600}, "evil")
	add(&tar.Header{Name: "sub/file", Typeflag: tar.TypeReg, Mode: 0o640}, "ok")
	_ = tw.Close()
	if err := r.Untar(&buf, "/", UntarOptions{NoOverwriteDirNonDir: true}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"evil", "dotdot", "viaesc"} {
		if _, err := os.Lstat(filepath.Join(outside, n)); err == nil {
			t.Errorf("%s was written outside the root", n)
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, "sub", "file")); err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("sub/file = %v, %v; want mode 0640", fi, err)
	}
	if _, err := os.Stat(filepath.Join(dir, outside, "viaesc")); err != nil {
		t.Errorf("the entry through esc should land inside the root: %v", err)
	}
}
