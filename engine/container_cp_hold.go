package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/berth-dev/berth/engine/define"
	"golang.org/x/sys/unix"
)

// A cp holds its container for the whole copy, so that rm does not
// unmount or delete the root it reads or writes. The hold is a shared
// flock on a file of the run root, taken and released under the container
// lock (so a check under that lock is exact) and dropped by the kernel if
// cp dies: it never blocks stop or start, only removal. rm refuses a held
// container; rm -f stops it and leaves it Removing, with its storage, and
// the last copy to end finishes the removal.

// errCopyInProgress is a removal put off until a copy ends.
var errCopyInProgress = errors.New("a copy (cp) into or out of the container is in progress")

func (c *Container) copyHoldPath() string {
	return filepath.Join(c.runtime.cfg.tmpDir(), "copies", c.config.ID)
}

// holdForCopyLocked takes a copy hold of the container.
//
// Preconditions: c.lock is held.
func (c *Container) holdForCopyLocked() (*os.File, error) {
	p := c.copyHoldPath()
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_RDWR|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_SH); err != nil {
		f.Close()
		return nil, fmt.Errorf("holding container %s for a copy: %w", c.config.Name, err)
	}
	return f, nil
}

// copyInProgressLocked reports whether a cp holds the container. It costs
// one failed open when none ever did.
//
// Preconditions: c.lock is held (no hold can be taken meanwhile).
func (c *Container) copyInProgressLocked() bool {
	f, err := os.OpenFile(c.copyHoldPath(), os.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	return unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) != nil
}

// releaseCopy ends a copy: it unmounts the rootfs the copy mounted, drops
// the hold and, if an rm -f was put off by copies and this was the last,
// finishes the removal.
func (c *Container) releaseCopy(mounted bool, hold *os.File) {
	if err := c.lockSync(); err != nil {
		hold.Close()
		return
	}
	defer c.lock.Unlock()
	if mounted {
		c.unmountRootfsLocked()
	}
	hold.Close()
	if c.state.Status != define.StatusRemoving {
		return
	}
	err := c.runtime.removeLocked(context.Background(), c, RemoveOptions{Force: true}, false)
	if err != nil && !errors.Is(err, errCopyInProgress) {
		warnf("container %s: finishing its removal after a copy: %v", c.config.Name, err)
	}
}
