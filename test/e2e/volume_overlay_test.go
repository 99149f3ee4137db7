package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/moby/sys/mountinfo"
)

// TestVolumeOverlay: -v SRC:DST:O gives the container a writable view of
// the host directory (or a volume) whose changes never reach the source
// and are gone by the next run; the user's own upperdir/workdir keep
// them; a non-root container user may write where the source lets it;
// nothing stays mounted.
func TestVolumeOverlay(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	src := filepath.Join(env.Dir, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "f"), []byte("orig\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	vol := src + ":/o:O"

	got := env.MustBerth(t, "run", "--rm", "-v", vol, "busybox", "sh", "-c", "echo changed > /o/f && echo new > /o/n && rm -f /o/gone; cat /o/f /o/n")
	if got != "changed\nnew" {
		t.Errorf("container's view after writing: %q", got)
	}
	if b, _ := os.ReadFile(filepath.Join(src, "f")); string(b) != "orig\n" {
		t.Errorf("host file after an overlay write: %q", b)
	}
	if _, err := os.Stat(filepath.Join(src, "n")); !os.IsNotExist(err) {
		t.Errorf("a file the container made reached the host: %v", err)
	}

	// A kept container: the second run starts from the source again, and
	// while it runs nothing is mounted on the host.
	env.MustBerth(t, "run", "-d", "--name", "keep", "-v", vol, "busybox", "sh", "-c", "echo run >> /o/f; sleep 1000")
	WaitFor(t, DefaultTimeout, func() bool {
		return env.Berth("exec", "keep", "grep", "-q", "run", "/o/f").ExitCode() == 0
	})
	if mounts, err := mountinfo.GetMounts(mountinfo.FSTypeFilter("overlay")); err != nil {
		t.Fatal(err)
	} else {
		for _, m := range mounts {
			if strings.Contains(m.VFSOptions, src) {
				t.Errorf("overlay of the source mounted on the host: %+v", m)
			}
		}
	}
	env.MustBerth(t, "stop", "-t", "0", "keep")
	overlays := filepath.Join(env.Root, "berth", "containers", "*", "overlay", "*")
	if entries, _ := filepath.Glob(overlays); len(entries) != 0 {
		t.Errorf("overlay directories left after stop: %v", entries)
	}
	env.MustBerth(t, "start", "keep")
	if got := env.MustBerth(t, "exec", "keep", "cat", "/o/f"); got != "orig\nrun" {
		t.Errorf("a restarted container's overlay = %q, want the source plus one run's line", got)
	}
	env.MustBerth(t, "rm", "-f", "-t", "0", "keep")

	// A user's own upperdir and workdir keep what the container wrote.
	upper, work := filepath.Join(env.Dir, "upper"), filepath.Join(env.Dir, "work")
	for _, d := range []string{upper, work} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	env.MustBerth(t, "run", "--rm", "-v", src+":/o:O,upperdir="+upper+",workdir="+work, "busybox", "sh", "-c", "echo kept > /o/k")
	if b, _ := os.ReadFile(filepath.Join(upper, "k")); string(b) != "kept\n" {
		t.Errorf("upperdir after the run: %q", b)
	}
	if _, err := os.Stat(filepath.Join(src, "k")); !os.IsNotExist(err) {
		t.Errorf("write with a user upperdir reached the source: %v", err)
	}

	// The overlay's root looks like the source's: its owner may write.
	owned := filepath.Join(env.Dir, "owned")
	if err := os.Mkdir(owned, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(owned, 1234, 1234); err != nil {
		t.Fatal(err)
	}
	if got := env.MustBerth(t, "run", "--rm", "-u", "1234:1234", "-v", owned+":/o:O", "busybox", "sh", "-c", "touch /o/x && stat -c %u /o/x"); got != "1234" {
		t.Errorf("a non-root user writing to the overlay: %q", got)
	}

	// O over a named volume: the volume keeps its data.
	env.MustBerth(t, "run", "--rm", "-v", "data:/d", "busybox", "sh", "-c", "echo vol > /d/f")
	if got := env.MustBerth(t, "run", "--rm", "-v", "data:/d:O", "busybox", "sh", "-c", "echo over > /d/f; cat /d/f"); got != "over" {
		t.Errorf("overlay over a volume: %q", got)
	}
	if got := env.MustBerth(t, "run", "--rm", "-v", "data:/d", "busybox", "cat", "/d/f"); got != "vol" {
		t.Errorf("volume after an overlay run: %q", got)
	}

	// O with options podman refuses, before anything is made.
	for _, bad := range []string{src + ":/o:O,ro", src + ":/o:O,upperdir=" + upper, "data:/d:O,rshared"} {
		r := env.Berth("create", "--name", "bad", "-v", bad, "busybox", "true")
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "O (overlay)") || strings.Count(strings.TrimSpace(r.Stderr()), "\n") != 0 {
			t.Errorf("create -v %s: want exit 125 and one line about O:\n%s", bad, r)
		}
	}
	if got := env.MustBerth(t, "ps", "-aq"); got != "" {
		t.Errorf("containers left: %q", got)
	}
}

// TestBindMountChown: U on a bind mount gives the host source, with what
// is below it, to the container's user, by -v and by --mount.
func TestBindMountChown(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	mk := func(name string) string {
		d := filepath.Join(env.Dir, name)
		if err := os.MkdirAll(filepath.Join(d, "sub"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "sub", "f"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("/etc/passwd", filepath.Join(d, "link")); err != nil {
			t.Fatal(err)
		}
		return d
	}
	owner := func(p string) string {
		var st syscall.Stat_t
		if err := syscall.Lstat(p, &st); err != nil {
			t.Fatal(err)
		}
		return strconv.Itoa(int(st.Uid)) + ":" + strconv.Itoa(int(st.Gid))
	}
	a := mk("a")
	if got := env.MustBerth(t, "run", "--rm", "-u", "1234:4321", "-v", a+":/a:U", "busybox", "stat", "-c", "%u:%g", "/a/sub/f"); got != "1234:4321" {
		t.Errorf("owner seen in the container: %q", got)
	}
	for _, p := range []string{a, filepath.Join(a, "sub"), filepath.Join(a, "sub", "f"), filepath.Join(a, "link")} {
		if got := owner(p); got != "1234:4321" {
			t.Errorf("host %s owned by %s, want 1234:4321", p, got)
		}
	}
	if got := owner("/etc/passwd"); got != "0:0" {
		t.Errorf("a symlink's target was chowned: /etc/passwd is %s", got)
	}
	// --mount U=true, and the image's user (root) when no --user.
	b := mk("b")
	if err := os.Chown(b, 1, 1); err != nil {
		t.Fatal(err)
	}
	env.MustBerth(t, "run", "--rm", "--mount", "type=bind,src="+b+",dst=/b,U=true", "busybox", "true")
	if got := owner(b); got != "0:0" {
		t.Errorf("--mount U=true: host dir owned by %s, want 0:0", got)
	}
	// A user named in the image's /etc/passwd (busybox has nobody).
	env.MustBerth(t, "run", "--rm", "-u", "nobody", "-v", b+":/b:U", "busybox", "true")
	if got := owner(filepath.Join(b, "sub", "f")); got != "65534:65534" {
		t.Errorf("-u nobody: host file owned by %s, want 65534:65534", got)
	}
}
