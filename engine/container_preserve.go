package engine

import (
	"fmt"
	"os"
	"slices"

	"golang.org/x/sys/unix"

	"github.com/berth-dev/berth/engine/define"
)

// preservedFiles duplicates the file descriptors --preserve-fds and
// --preserve-fd pass from this process to the container: entry i becomes
// the container's fd 3+i. A gap below the highest --preserve-fd is the
// read end of an empty pipe, as the runtime needs every fd of its range
// open. The caller closes the files once conmon has them. An fd that is
// not open here fails the start with a line naming it.
func (c *Container) preservedFiles() ([]*os.File, error) {
	want := map[uint]bool{}
	for fd := uint(3); fd < 3+c.config.PreserveFDs; fd++ {
		want[fd] = true
	}
	for _, fd := range c.config.PreserveFD {
		want[fd] = true
	}
	if len(want) == 0 {
		return nil, nil
	}
	max := uint(0)
	for fd := range want {
		max = slices.Max([]uint{max, fd})
	}
	for fd := range want {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
			return nil, fmt.Errorf("container %s: file descriptor %d to preserve is not open: %v: %w", c.config.Name, fd, err, define.ErrInvalidArg)
		}
	}
	var files []*os.File
	fail := func(err error) ([]*os.File, error) {
		closeFiles(files)
		return nil, err
	}
	for fd := uint(3); fd <= max; fd++ {
		if !want[fd] {
			r, w, err := os.Pipe()
			if err != nil {
				return fail(err)
			}
			w.Close()
			files = append(files, r)
			continue
		}
		dup, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 3)
		if err != nil {
			return fail(fmt.Errorf("container %s: file descriptor %d to preserve is not open: %v: %w", c.config.Name, fd, err, define.ErrInvalidArg))
		}
		files = append(files, os.NewFile(uintptr(dup), fmt.Sprintf("preserved-fd-%d", fd)))
	}
	return files, nil
}

func closeFiles(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}
