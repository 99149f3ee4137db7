package cli

import (
	"fmt"

	"github.com/berth-dev/berth/service"
	"golang.org/x/sys/unix"
)

// checkExecFlags validates exec's --cidfile, --no-session and
// --preserve-fds against the rest of the command line.
func checkExecFlags(d *Deps, latest bool, cidFile string, noSession bool, o service.ExecOptions) error {
	if latest && cidFile != "" {
		return usageError("--latest and --cidfile cannot be used together")
	}
	// podman's --no-session skips recording the session; a detached
	// session must be recorded to be found again.
	if noSession && o.Detach {
		return usageError("--no-session cannot be used with --detach")
	}
	if o.PreserveFDs == 0 && len(o.PreserveFD) == 0 {
		return nil
	}
	if d.isRemote() {
		if len(o.PreserveFD) > 0 {
			return usageError("--preserve-fd is not supported by the remote client")
		}
		return usageError("--preserve-fds is not supported by the remote client")
	}
	for _, fd := range o.PreserveFD {
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if fd < 3 || err != nil || flags&unix.FD_CLOEXEC != 0 {
			return usageError("file descriptor %d is not available - the preserve-fd option requires that all file descriptors listed be available", fd)
		}
	}
	// An inherited descriptor has no close-on-exec flag; berth's own
	// (the Go runtime opens all of them with O_CLOEXEC) do.
	for fd := 3; fd < 3+int(o.PreserveFDs); fd++ {
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err != nil || flags&unix.FD_CLOEXEC != 0 {
			return usageError("file descriptor %d is not available - the preserve-fds option requires that all file descriptors between 3 and %d, inclusive, be available", fd, 2+o.PreserveFDs)
		}
	}
	return nil
}

// readCIDFile is exec --cidfile: the container's ID, from the file run
// --cidfile wrote.
func readCIDFile(path string) (string, error) {
	ids, err := service.ReadCIDFiles([]string{path}, false)
	if err != nil {
		return "", err
	}
	if len(ids) != 1 || ids[0] == "" {
		return "", fmt.Errorf("reading cidfile %s: no container ID in it", path)
	}
	return ids[0], nil
}
