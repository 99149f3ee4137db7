package e2e

import (
	"archive/tar"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestFaultDiskFull: on a --root that is a small ext4 loop device filled
// to the last block, import, create and run fail with an error and leave
// nothing half-made: once space is freed, system check finds nothing, the
// failed objects do not exist, and the root works.
func TestFaultDiskFull(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("loop devices need root")
	}
	for _, tool := range []string{"losetup", "mkfs.ext4"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s: %v", tool, err)
		}
	}
	mnt := smallLoopFS(t, 64<<20)
	env := NewEnv(t) // its cleanup runs before the loop device's
	env.Root = filepath.Join(mnt, "root")
	env.ImportBusybox(t)
	env.MustBerth(t, "create", "--name", "before", "busybox", "true")

	// Full to the last block, nothing opens the database; with a little
	// left, commands fail part-way.
	fill := filepath.Join(mnt, "fill")
	for i, keep := range []int64{0, 256 << 10, 1 << 20} {
		fillDisk(t, fill, keep)
		for _, args := range [][]string{
			{"import", randomTar(t, env.TmpDir, 4<<20), fmt.Sprintf("big%d", i)},
			{"run", "--name", fmt.Sprintf("full%d", i), "busybox", "true"},
			{"start", "before"},
		} {
			r := env.Berth(args...)
			t.Logf("%d bytes left: %s: exit %d: %s", keep, args[0], r.ExitCode(), strings.TrimSpace(r.Stderr()))
		}
		if err := os.Remove(fill); err != nil {
			t.Fatal(err)
		}
	}

	if r := env.Berth("system", "check"); r.ExitCode() != 0 || strings.TrimSpace(r.Stdout()) != "No problems found" {
		t.Errorf("system check after the disk was full:\n%s", r)
	}
	// Nothing of a 4 MB import fitted in 1 MB; storage's check above
	// finds layers no image uses.
	if out := env.MustBerth(t, "images", "--format", "{{.Repository}}"); strings.Contains(out, "big") {
		t.Errorf("an import that could not fit left an image: %q", out)
	}
	// A run that failed leaves either no container or a complete one that
	// runs now; nothing of it is mounted.
	for _, m := range env.unexpectedMounts() {
		t.Errorf("mount left after the failures: %s", m.Mountpoint)
	}
	if ms, _ := mountsUnder(env.Root); len(ms) > 1 {
		t.Errorf("mounts left on the root after the failures: %d", len(ms))
	}
	for _, name := range env.Berth("ps", "-a", "--format", "{{.Names}}").Lines() {
		if out := env.MustBerth(t, "start", "--attach", name); out != "" {
			t.Errorf("container %s after the disk was full: %q", name, out)
		}
	}
	if out := env.MustBerth(t, "run", "--rm", "busybox", "echo", "ok"); out != "ok" {
		t.Errorf("run after the disk was full: %q", out)
	}
}

// randomTar writes a tar holding one file of size random bytes (no layer
// of it can be shared or compressed) into dir and returns its path.
func randomTar(t *testing.T, dir string, size int) string {
	t.Helper()
	f, err := os.CreateTemp(dir, "random-*.tar")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data := make([]byte, size)
	_, _ = rand.Read(data)
	tw := tar.NewWriter(f)
	if err := tw.WriteHeader(&tar.Header{Name: "random", Mode: 0o644, Size: int64(size), Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return f.Name()
}

// smallLoopFS makes an ext4 file system of size bytes on a loop device,
// mounted on a fresh directory, and registers its removal.
func smallLoopFS(t *testing.T, size int64) string {
	t.Helper()
	dir, err := os.MkdirTemp("/tmp", "berth-e2e-loop-")
	if err != nil {
		t.Fatal(err)
	}
	img, mnt := filepath.Join(dir, "disk.img"), filepath.Join(dir, "mnt")
	if err := os.Mkdir(mnt, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.WriteFile(img, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, size); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mkfs.ext4", "-q", "-F", img).CombinedOutput(); err != nil {
		t.Fatalf("mkfs.ext4: %v: %s", err, out)
	}
	out, err := exec.Command("losetup", "-f", "--show", img).Output()
	if err != nil {
		t.Skipf("losetup: %v", err)
	}
	dev := strings.TrimSpace(string(out))
	t.Cleanup(func() {
		if out, err := exec.Command("losetup", "-d", dev).CombinedOutput(); err != nil {
			t.Errorf("losetup -d %s: %v: %s", dev, err, out)
		}
	})
	if err := syscall.Mount(dev, mnt, "ext4", 0, ""); err != nil {
		t.Fatalf("mount %s: %v", dev, err)
	}
	t.Cleanup(func() {
		// Whatever berth's cleanup left below (it reports it), deepest first.
		ms, _ := mountsUnder(mnt)
		sort.Slice(ms, func(i, j int) bool { return len(ms[i].Mountpoint) > len(ms[j].Mountpoint) })
		for _, m := range ms {
			if m.Mountpoint != mnt {
				_ = unix.Unmount(m.Mountpoint, unix.MNT_DETACH)
			}
		}
		if err := unix.Unmount(mnt, 0); err != nil {
			t.Errorf("unmount %s: %v", mnt, err)
		}
	})
	return mnt
}

// fillDisk writes path until the file system has no block left, then
// gives keep bytes back.
func fillDisk(t *testing.T, path string, keep int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	for small := make([]byte, 4096); ; {
		if _, err := f.Write(small); err != nil {
			break
		}
	}
	if st, err := f.Stat(); err == nil && keep > 0 {
		_ = f.Truncate(max(st.Size()-keep, 0))
	}
	_ = f.Sync()
}
