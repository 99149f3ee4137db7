package oci

import (
	"bytes"
	"os"
	"strconv"

	"github.com/berth-dev/berth/internal/procps"
	"golang.org/x/sys/unix"
)

// CancelExitCommand stops the exit command that conmon (conmonPID, the
// conmon of container id) holds back with --exit-delay, for a caller that
// has already done that cleanup itself: an attached run. Conmon forks, the
// child sleeps out the delay and then execs the command; killing the
// sleeping child spares a whole CLI process per run, and conmon exits as
// soon as it reaps it. Anything that is not exactly that (conmon gone, its
// PID reused, the child already exec'd) is left alone: the exit command
// then runs and finds nothing to do.
func CancelExitCommand(conmonPID int, id string) {
	if conmonPID <= 0 {
		return
	}
	cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(conmonPID) + "/cmdline")
	if err != nil || !bytes.Contains(cmdline, []byte("\x00-c\x00"+id+"\x00")) {
		return
	}
	for _, child := range procps.Children(conmonPID) {
		// Pin the child first, then check it is still conmon's unexec'd
		// fork (same name, parent and command line), so the signal cannot
		// reach a process that took its PID or has become the command.
		fd, err := unix.PidfdOpen(child, 0)
		if err != nil {
			continue
		}
		comm, ppid, err := procps.CommAndParent(child)
		own, rerr := os.ReadFile("/proc/" + strconv.Itoa(child) + "/cmdline")
		if err == nil && rerr == nil && comm == "conmon" && ppid == conmonPID && bytes.Equal(own, cmdline) {
			_ = unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0)
		}
		unix.Close(fd)
	}
}
