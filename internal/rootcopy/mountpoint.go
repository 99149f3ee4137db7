package rootcopy

import (
	"errors"
	"os"
	"path"

	"golang.org/x/sys/unix"
)

// OpenMountpoint opens the in-root path p as an O_PATH descriptor to mount
// on, creating it (a directory, or an empty file when dir is false) with
// its missing parents as the runtime would when the container starts. The
// result can be named as /proc/self/fd/N in mount(2): the target never
// leaves the root, whatever symlinks the rootfs holds.
func (r *Root) OpenMountpoint(p string, dir bool) (*os.File, error) {
	f, err := r.openat(p, unix.O_PATH)
	if err == nil || !errors.Is(err, unix.ENOENT) {
		return f, err
	}
	target, err := r.Resolve(p)
	if err != nil {
		return nil, err
	}
	parent, base := path.Split(target)
	u := &untarrer{r: r, dir: "/"}
	if err := u.mkdirAll(parent); err != nil {
		return nil, err
	}
	pf, err := r.openat(parent, unix.O_PATH|unix.O_DIRECTORY)
	if err != nil {
		return nil, err
	}
	defer pf.Close()
	if dir {
		err = unix.Mkdirat(int(pf.Fd()), base, 0o755)
	} else {
		var fd int
		if fd, err = unix.Openat(int(pf.Fd()), base, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644); err == nil {
			unix.Close(fd)
		}
	}
	if err != nil && !errors.Is(err, unix.EEXIST) {
		return nil, &os.PathError{Op: "create mountpoint", Path: target, Err: err}
	}
	return r.openat(target, unix.O_PATH)
}
