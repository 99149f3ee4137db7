package rootcopy

import (
	"errors"
	"io/fs"
	"os"
	"path"

	"golang.org/x/sys/unix"
)

// AppendFile appends data to the regular file p in the root, creating it
// (mode 0644, owned by the caller) when it does not exist but its
// directory does: podman's additions to a container's /etc/passwd and
// /etc/group. Anything but a regular file fails with ErrNotRegular.
func (r *Root) AppendFile(p string, data []byte) error {
	f, err := r.openat(p, unix.O_PATH)
	if errors.Is(err, fs.ErrNotExist) {
		dir, err := r.openat(path.Dir(path.Clean("/"+p)), unix.O_PATH|unix.O_DIRECTORY)
		if err != nil {
			return err
		}
		defer dir.Close()
		fd, err := unix.Openat(int(dir.Fd()), path.Base(p), unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
		if err != nil {
			return &os.PathError{Op: "create", Path: p, Err: err}
		}
		nf := os.NewFile(uintptr(fd), p)
		defer nf.Close()
		_, err = nf.Write(data)
		return err
	}
	if err != nil {
		return err
	}
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return &os.PathError{Op: "stat", Path: p, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return &os.PathError{Op: "append", Path: p, Err: ErrNotRegular}
	}
	w, err := reopenFlags(f, unix.O_WRONLY|unix.O_APPEND)
	if err != nil {
		return err
	}
	defer w.Close()
	_, err = w.Write(data)
	return err
}
