package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A stopped container's volumes and bind mounts are copied into and out
// of, as podman does, not the rootfs directories they cover; a read-only
// bind stays read-only; the host never sees the copy's mounts.
func TestCpStoppedContainerMounts(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	bind := filepath.Join(env.TmpDir, "bind")
	robind := filepath.Join(env.TmpDir, "robind")
	for _, d := range []string{bind, robind} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	in := filepath.Join(env.TmpDir, "in.txt")
	if err := os.WriteFile(in, []byte("payload\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env.MustBerth(t, "create", "--name", "c", "-v", "vol:/data", "-v", bind+":/bind", "-v", robind+":/ro:ro",
		"busybox", "cat", "/data/in.txt", "/bind/b.txt")
	env.MustBerth(t, "cp", in, "c:/data/")
	env.MustBerth(t, "cp", in, "c:/bind/b.txt")
	if b, err := os.ReadFile(filepath.Join(bind, "b.txt")); err != nil || string(b) != "payload\n" {
		t.Errorf("bind source b.txt: %q, %v; want the copied file", b, err)
	}
	mp := env.MustBerth(t, "volume", "inspect", "--format", "{{.Mountpoint}}", "vol")
	if b, err := os.ReadFile(filepath.Join(mp, "in.txt")); err != nil || string(b) != "payload\n" {
		t.Errorf("volume in.txt: %q, %v; want the copied file", b, err)
	}
	// Out of the volume and the bind.
	out := filepath.Join(env.TmpDir, "out.txt")
	env.MustBerth(t, "cp", "c:/bind/b.txt", out)
	if b, err := os.ReadFile(out); err != nil || string(b) != "payload\n" {
		t.Errorf("cp c:/bind/b.txt: %q, %v", b, err)
	}
	if tar := env.MustBerth(t, "cp", "c:/data", "-"); !strings.Contains(tar, "payload") {
		t.Errorf("cp c:/data - has no in.txt")
	}
	// The container sees what was copied.
	if got := env.MustBerth(t, "start", "-a", "c"); got != "payload\npayload" {
		t.Errorf("container read %q, want both copies", got)
	}
	// A read-only bind refuses the copy (as it does in a running
	// container), and the host directory stays empty.
	paExpectError(t, env.Berth("cp", in, "c:/ro/"), 125, "read-only file system")
	if ents, _ := os.ReadDir(robind); len(ents) != 0 {
		t.Errorf("read-only bind source has %d entries, want none", len(ents))
	}
	if mi, err := os.ReadFile("/proc/self/mountinfo"); err == nil && strings.Contains(string(mi), bind) {
		t.Errorf("the copy's bind of %s is visible on the host", bind)
	}
}

// docker's -q/--quiet is accepted; berth prints no progress either way.
func TestCpQuiet(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	env.MustBerth(t, "create", "--name", "c", "busybox")
	for _, q := range []string{"-q", "--quiet"} {
		out := filepath.Join(env.TmpDir, "g"+q)
		r := env.Berth("cp", q, "c:/etc/group", out)
		if r.ExitCode() != 0 || r.Stdout() != "" || r.Stderr() != "" {
			t.Errorf("cp %s: want silent success:\n%s", q, r)
		}
		if b, err := os.ReadFile(out); err != nil || !strings.HasPrefix(string(b), "root:x:0:") {
			t.Errorf("cp %s copied %q, %v", q, b, err)
		}
	}
}
