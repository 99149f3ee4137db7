package generate

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// hostDevDir is the host's /dev, which --privileged containers get every
// device node of; a variable for tests.
var hostDevDir = "/dev"

// skipDevDirs are the /dev subdirectories the container has its own of
// (runc's and podman's list); console and ptmx are the container's own too.
var (
	skipDevDirs  = []string{"pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev"}
	skipDevNames = []string{"console", "ptmx"}
)

// addHostDevices gives a --privileged container every device node of the
// host, as podman does (the device cgroup already allows them all), except
// where the spec already has a device at that path (--device).
func addHostDevices(g *specs.Spec) error {
	have := make([]string, 0, len(g.Linux.Devices))
	for _, d := range g.Linux.Devices {
		have = append(have, d.Path)
	}
	return filepath.WalkDir(hostDevDir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if p == hostDevDir {
				return err
			}
			return nil // a node that vanished or cannot be read: not ours to give
		}
		if e.IsDir() {
			if p != hostDevDir && slices.Contains(skipDevDirs, e.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if slices.Contains(skipDevNames, e.Name()) || e.Type()&fs.ModeDevice == 0 {
			return nil
		}
		var st unix.Stat_t
		if unix.Lstat(p, &st) != nil {
			return nil
		}
		typ := "c"
		if st.Mode&unix.S_IFMT == unix.S_IFBLK {
			typ = "b"
		}
		dst := path.Join("/dev", filepath.ToSlash(mustRel(hostDevDir, p)))
		if slices.Contains(have, dst) {
			return nil
		}
		mode := os.FileMode(st.Mode & 0o777)
		uid, gid := st.Uid, st.Gid
		g.Linux.Devices = append(g.Linux.Devices, specs.LinuxDevice{
			Path: dst, Type: typ, Major: int64(unix.Major(st.Rdev)), Minor: int64(unix.Minor(st.Rdev)),
			FileMode: &mode, UID: &uid, GID: &gid,
		})
		return nil
	})
}

func mustRel(base, p string) string {
	r, err := filepath.Rel(base, p)
	if err != nil {
		return filepath.Base(p)
	}
	return r
}
