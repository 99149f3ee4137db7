package rootcopy

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func statOwner(t *testing.T, p string) [2]int {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Lstat(p, &st); err != nil {
		t.Fatal(err)
	}
	return [2]int{int(st.Uid), int(st.Gid)}
}

// TestChownTreeStaysInside: links are chowned themselves, never what they
// point at, so a link to a host file does not give that file away.
func TestChownTreeStaysInside(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chown needs root")
	}
	dir, outside, r := newRoot(t)
	defer r.Close()
	target := filepath.Join(outside, "host-file")
	if err := os.WriteFile(target, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "a", "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a", "b", "f"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(dir, "a", "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "dirlink")); err != nil {
		t.Fatal(err)
	}
	if err := r.ChownTree("/", 1234, 4321); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"a", "a/b", "a/b/f", "a/link", "dirlink"} {
		if s := statOwner(t, filepath.Join(dir, p)); s != [2]int{1234, 4321} {
			t.Errorf("%s owned by %v", p, s)
		}
	}
	if s := statOwner(t, target); s == [2]int{1234, 4321} {
		t.Errorf("the host file behind a link was chowned")
	}
	if s := statOwner(t, outside); s == [2]int{1234, 4321} {
		t.Errorf("the host directory behind a link was chowned")
	}
}
