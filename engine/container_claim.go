package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"github.com/berth-dev/berth/engine/oci"
	"golang.org/x/sys/unix"
)

// An attached `run` claims the cleanup of its container: it waits for the
// exit itself and then cleans up (and removes, with --rm) in-process. The
// exit command conmon starts meanwhile sees the claim and waits for it to
// be released instead of racing the CLI for the container lock and doing
// the same work twice. If the CLI dies, the kernel drops its flock and the
// exit command carries on as usual, so nothing is ever left behind.
//
// While claimed, conmon is told to hold the exit command back for
// claimExitDelay seconds, and a successful cleanup cancels it: an attached
// run costs no second berth process (~8 ms of CPU, a fifth of a run's).
// A CLI that dies or fails to clean up leaves the exit command to run
// after the delay, as before.

// claimExitDelay is how long (seconds) conmon waits before the exit command
// of a claimed container: long enough for the claimant's cleanup on a busy
// host, short enough that a killed CLI's container is soon cleaned up.
const claimExitDelay = 2

func (c *Container) claimPath() string {
	return filepath.Join(c.runtime.cfg.tmpDir(), "claims", c.config.ID)
}

// CleanupClaim is held by the process that cleans up after a container.
type CleanupClaim struct {
	c *Container
	f *os.File
}

// ClaimCleanup marks the caller as the one who cleans up after the
// container's next exit. Release the claim once the cleanup is done (or
// abandoned). mayDetach says the caller's session can detach (a terminal
// with stdin attached) and leave the exit to conmon: then conmon does not
// hold its exit command back.
func (c *Container) ClaimCleanup(mayDetach bool) (*CleanupClaim, error) {
	p := c.claimPath()
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	c.claimed, c.claimDetachable = true, mayDetach
	return &CleanupClaim{c: c, f: f}, nil
}

// exitDelay is conmon's --exit-delay for the container's next exit. A
// session that can detach (ctrl-p ctrl-q) leaves the exit to conmon, so it
// gets none: its --rm removal must not come late.
func (c *Container) exitDelay() int {
	if c.claimed && !c.claimDetachable {
		return claimExitDelay
	}
	return 0
}

// Cleanup does what the exit command would: release the stopped
// container's resources, then remove it when remove (--rm) is set.
func (cl *CleanupClaim) Cleanup(ctx context.Context, remove bool) error {
	conmon := cl.c.state.ConmonPID
	if err := cl.c.cleanupAfterExit(ctx, remove); err != nil {
		return err
	}
	oci.CancelExitCommand(conmon, cl.c.config.ID)
	return nil
}

// Release gives the claim up; a waiting exit command then proceeds.
func (cl *CleanupClaim) Release() {
	if cl == nil || cl.f == nil {
		return
	}
	os.Remove(cl.c.claimPath())
	cl.f.Close()
	cl.f = nil
	cl.c.claimed = false
}

// waitForClaim blocks while another process holds the cleanup claim.
func (c *Container) waitForClaim() {
	f, err := os.Open(c.claimPath())
	if errors.Is(err, os.ErrNotExist) || err != nil {
		return
	}
	defer f.Close()
	if unix.Flock(int(f.Fd()), unix.LOCK_EX) == nil {
		// The holder is gone without releasing (killed): drop its file.
		os.Remove(c.claimPath())
	}
}
