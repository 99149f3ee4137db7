package rootless

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// Migrate is the rootless half of `system migrate`, as podman's: it ends
// the user's pause process, so that the next command makes a new user
// namespace with the maps /etc/subuid and /etc/subgid give now (a
// namespace's maps cannot change once written). Call it after the
// containers are stopped: a running container's conmon keeps the old
// namespace alive, and the mounts of the old mount namespace go with it.
// The calling process stays in the old namespaces until it exits. Root
// has no pause process; Migrate then does nothing.
func Migrate() error {
	if !IsRootless() {
		return nil
	}
	run, err := RunDir()
	if err != nil {
		return err
	}
	return stopPause(run)
}

// stopPause kills the pause process recorded under run and removes its
// PID file, holding the lock Ensure takes so that no command joins the
// process as it dies.
func stopPause(run string) error {
	lock, err := os.OpenFile(filepath.Join(run, "berth", "pause.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if errors.Is(err, os.ErrNotExist) {
		return nil // no berth/ directory: never started
	}
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX); err != nil {
		return err
	}
	if pid := livePause(run); pid > 0 {
		// SIGKILL: the pause process ignores the gentler signals.
		if err := unix.Kill(pid, unix.SIGKILL); err != nil && !errors.Is(err, unix.ESRCH) {
			return fmt.Errorf("stopping berth's pause process %d: %w", pid, err)
		}
	}
	if err := os.Remove(pauseFile(run)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
