package oci

import (
	"github.com/berth-dev/berth/internal/procps"
	"golang.org/x/sys/unix"
)

// CancelExitCommand stops the exit command that conmon (conmonPID) holds
// back with --exit-delay, for a caller that has already done that cleanup
// itself: an attached run. Conmon forks, the child sleeps out the delay and
// then execs the command; killing the sleeping child spares a whole CLI
// process per run, and conmon exits as soon as it reaps it. Anything that
// is not exactly that (conmon gone, its PID reused, the child already
// exec'd) is left alone: the exit command then runs and finds nothing to do.
func CancelExitCommand(conmonPID int) {
	if conmonPID <= 0 {
		return
	}
	if comm, _, err := procps.CommAndParent(conmonPID); err != nil || comm != "conmon" {
		return
	}
	for _, child := range procps.Children(conmonPID) {
		// Pin the child first, then check it is still conmon's unexec'd
		// fork, so the signal cannot reach a process that took its PID.
		fd, err := unix.PidfdOpen(child, 0)
		if err != nil {
			continue
		}
		if comm, ppid, err := procps.CommAndParent(child); err == nil && comm == "conmon" && ppid == conmonPID {
			_ = unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0)
		}
		unix.Close(fd)
	}
}
