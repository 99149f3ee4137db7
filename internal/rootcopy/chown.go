package rootcopy

import (
	"errors"
	"os"
	"path"

	"golang.org/x/sys/unix"
)

// ChownTree gives the in-root path p and everything below it to uid:gid,
// symlinks themselves rather than what they point at. Every entry is
// reached through its parent's file descriptor and directories are opened
// with O_NOFOLLOW, so a process that swaps a directory for a symlink
// during the walk (another container using the same volume) gets its
// link chowned, never the host file it names.
func (r *Root) ChownTree(p string, uid, gid int) error {
	top, err := r.openat(p, unix.O_PATH|unix.O_NOFOLLOW)
	if err != nil {
		return err
	}
	defer top.Close()
	return chownEntry(top, uid, gid)
}

// chownEntry chowns f (an O_PATH|O_NOFOLLOW descriptor) and, for a
// directory, what lies below it.
func chownEntry(f *os.File, uid, gid int) error {
	if err := unix.Fchownat(int(f.Fd()), "", uid, gid, unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &os.PathError{Op: "chown", Path: f.Name(), Err: err}
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return &os.PathError{Op: "stat", Path: f.Name(), Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return nil
	}
	d, err := reopenDir(f)
	if err != nil {
		return err
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return &os.PathError{Op: "readdir", Path: f.Name(), Err: err}
	}
	for _, n := range names {
		fd, err := unix.Openat(int(d.Fd()), n, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if errors.Is(err, unix.ENOENT) {
			continue // removed while we walked
		}
		if err != nil {
			return &os.PathError{Op: "open", Path: path.Join(f.Name(), n), Err: err}
		}
		child := os.NewFile(uintptr(fd), path.Join(f.Name(), n))
		err = chownEntry(child, uid, gid)
		child.Close()
		if err != nil {
			return err
		}
	}
	return nil
}
