package engine

import (
	"context"
	"errors"
	"time"

	"github.com/berth-dev/berth/engine/define"
)

// The restart policy backs off as docker's restart manager does: the
// first restart waits restartDelayMin, each further one twice as long up
// to restartDelayMax, and a run of at least restartResetAfter starts the
// series again. Podman restarts at once; a crash-looping container then
// burns a CPU in conmon and runc, so berth follows docker here.
const (
	restartDelayMin   = 100 * time.Millisecond
	restartDelayMax   = time.Minute
	restartResetAfter = 10 * time.Second
)

// nextRestartDelay is the back-off before the restart that follows a run
// of ran, when the previous one was prev (0: none yet).
func nextRestartDelay(prev, ran time.Duration) time.Duration {
	if prev == 0 || ran >= restartResetAfter {
		return restartDelayMin
	}
	return min(prev*2, restartDelayMax)
}

// policyRestart starts an exited container again for its restart policy,
// after the back-off. It runs in the exit command (conmon's child), which
// has nothing else to do: it records when the restart is due, sleeps with
// the lock released (so stop, start, rm and inspect go on meanwhile), and
// restarts only if that record is still its own. stop and rm in between
// cancel it; a user start makes it moot.
//
// Preconditions: c.lock is held; it is released on return.
func (c *Container) policyRestart(ctx context.Context) error {
	ran := c.state.FinishedTime.Sub(c.state.StartedTime)
	c.state.RestartDelay = nextRestartDelay(c.state.RestartDelay, ran)
	due := time.Now().Add(c.state.RestartDelay).Round(0).UTC()
	c.state.RestartAt = due
	if err := c.saveLocked(); err != nil {
		c.lock.Unlock()
		return err
	}
	c.lock.Unlock()

	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(time.Until(due)):
	}

	if err := c.lockSync(); err != nil {
		if errors.Is(err, define.ErrCtrRemoved) {
			return nil
		}
		return err
	}
	defer c.lock.Unlock()
	if !c.state.RestartAt.Equal(due) || c.state.StoppedByUser {
		return nil
	}
	switch c.state.Status {
	case define.StatusExited, define.StatusStopped, define.StatusConfigured:
	default:
		return nil
	}
	c.state.RestartCount++
	c.runtime.event(c.newEvent("restart"))
	err := c.startLocked(ctx)
	if err != nil && !c.state.RestartAt.IsZero() {
		// The start failed before it ran: nothing is pending any more.
		c.state.RestartAt = time.Time{}
		_ = c.saveLocked()
	}
	return err
}

// restartPending reports whether an exit command is sleeping out the
// back-off before a policy restart. A record far past its due time is
// left over from an exit command that died (killed, or a reboot), and
// nothing is pending.
func (c *Container) restartPending() bool {
	if c.state.RestartAt.IsZero() {
		return false
	}
	return time.Now().Before(c.state.RestartAt.Add(restartResetAfter))
}

// cancelRestartLocked cancels a pending policy restart of an exited
// container, for stop: like docker's stop of a restarting container, it
// stays stopped (and counts as stopped by the user).
//
// Preconditions: c.lock is held.
func (c *Container) cancelRestartLocked() error {
	if c.state.RestartAt.IsZero() {
		return nil
	}
	c.state.RestartAt = time.Time{}
	c.state.StoppedByUser = true
	if err := c.saveLocked(); err != nil {
		return err
	}
	c.runtime.event(c.newEvent("stop"))
	return nil
}
