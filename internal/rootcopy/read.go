package rootcopy

import (
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// ErrNotRegular is returned by ReadFile for a path that leads to anything
// but a regular file: a FIFO (which would block the reader), a device such
// as /dev/zero (which never ends), a directory or a socket.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is returned by ReadFile for a file above its size cap.
var ErrTooLarge = errors.New("file too large")

// ReadFile reads the regular file p (an in-root path) inside dir, resolved
// as if dir were "/": every ".." and symlink, absolute or relative, stays
// inside dir, so a container's /etc/hosts linking to the host's /etc/shadow
// reads dir/etc/shadow, if anything. It is the one way the engine reads a
// file out of a container's root (the /etc/hosts seed, /etc/passwd and
// /etc/group for user lookups and top).
//
// Only a regular file of at most max bytes is read; anything else fails
// with ErrNotRegular or ErrTooLarge without a byte being read. A path that
// does not exist, or runs through a non-directory, fails with an error
// matching fs.ErrNotExist.
func ReadFile(dir, p string, max int64) ([]byte, error) {
	r, err := Open(dir)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return r.ReadFile(p, max)
}

// ReadFile is the package-level ReadFile on an open root.
func (r *Root) ReadFile(p string, max int64) ([]byte, error) {
	// An O_PATH descriptor opens nothing: no FIFO rendezvous, no device
	// open routine. The type is checked on it, and only a regular file is
	// then reopened for reading (the same inode, through /proc/self/fd).
	f, err := r.openat(p, unix.O_PATH)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) && errors.Is(pe.Err, unix.ENOTDIR) {
			pe.Err = unix.ENOENT
		}
		return nil, err
	}
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return nil, &os.PathError{Op: "stat", Path: p, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, &os.PathError{Op: "read", Path: p, Err: ErrNotRegular}
	}
	if st.Size > max {
		return nil, &os.PathError{Op: "read", Path: p, Err: fmt.Errorf("%w (%d bytes, at most %d)", ErrTooLarge, st.Size, max)}
	}
	// O_NONBLOCK as a second guard: it makes no difference to a regular
	// file, and nothing else gets here.
	rf, err := reopenFlags(f, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY)
	if err != nil {
		return nil, err
	}
	defer rf.Close()
	// The file may grow between fstat and read: the cap holds anyway.
	data, err := io.ReadAll(io.LimitReader(rf, max+1))
	if err != nil {
		return nil, &os.PathError{Op: "read", Path: p, Err: err}
	}
	if int64(len(data)) > max {
		return nil, &os.PathError{Op: "read", Path: p, Err: fmt.Errorf("%w (more than %d bytes)", ErrTooLarge, max)}
	}
	return data, nil
}
