package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/procps"
)

// lockSync takes the container's lock and syncs its state. On error the
// lock is released.
func (c *Container) lockSync() error {
	if c.lock == nil { // handles from a listing snapshot get their lock lazily
		l, err := c.runtime.locks.Retrieve(c.config.ID)
		if err != nil {
			return err
		}
		c.lock = l
	}
	if err := c.lock.Lock(); err != nil {
		return err
	}
	if err := c.syncLocked(); err != nil {
		if errors.Is(err, define.ErrCtrRemoved) {
			// Removed while we waited: drop the lock file our Lock may
			// have re-created.
			_ = c.runtime.locks.Free(c.config.ID)
		}
		c.lock.Unlock()
		return err
	}
	return nil
}

// tryLockSync is lockSync without waiting: false when another command
// holds the lock (or the sync failed; then the lock is released).
func (c *Container) tryLockSync() bool {
	if c.lock == nil {
		l, err := c.runtime.locks.Retrieve(c.config.ID)
		if err != nil {
			return false
		}
		c.lock = l
	}
	if ok, err := c.lock.TryLock(); err != nil || !ok {
		return false
	}
	if err := c.syncLocked(); err != nil {
		c.lock.Unlock()
		return false
	}
	return true
}

// syncLocked re-reads the state from the database and folds in what the
// exit file says: a container whose process has exited becomes Stopped.
//
// Preconditions: c.lock is held.
func (c *Container) syncLocked() error {
	st, err := c.runtime.state.ContainerState(c.config.ID)
	if err != nil {
		if errors.Is(err, define.ErrNoSuchCtr) {
			c.valid = false
			return fmt.Errorf("container %s: %w", c.config.Name, define.ErrCtrRemoved)
		}
		return err
	}
	c.state = st
	changed, conmonGone := c.applyExit()
	if !changed {
		if c.state.Status == define.StatusStopping {
			c.finishOrphanStopLocked()
		}
		return nil
	}
	if conmonGone {
		// Nothing will run the exit command: the container's processes
		// may still run unseen, and its mounts and network stay. Kill and
		// release them now, as the exit command would have.
		return c.reapConmonlessLocked(context.Background())
	}
	if err := c.saveLocked(); err != nil {
		return err
	}
	c.exitEvents()
	return nil
}

// finishOrphanStopLocked finishes a stop whose command died (kill -9 of
// the CLI mid-stop): stop holds the container's lock from setting
// Stopping until the container is stopped, so a holder of the lock that
// sees Stopping knows nobody is stopping it any more. The user asked for
// the stop (StoppedByUser is set), so it is finished with SIGKILL, as the
// stop's own timeout would have; a failure is only warned about and the
// container stays stopping for the next command.
//
// Preconditions: c.lock is held; the process still runs (applyExit).
func (c *Container) finishOrphanStopLocked() {
	warnf("container %s was left stopping by a stop that did not finish: stopping it now", c.config.Name)
	if err := c.stopSignalLocked(context.Background(), 0, 0); err != nil {
		warnf("container %s: finishing its stop: %v", c.config.Name, err)
	}
}

// reapConmonlessLocked finishes a container whose conmon died (kill -9)
// without an exit file: the OCI runtime kills what is left of it and
// cleanupLocked releases the rest. A created container goes back to
// configured; a started one is stopped (exit code -1) and exited.
//
// Preconditions: c.lock is held; applyExit reported conmonGone.
func (c *Container) reapConmonlessLocked(ctx context.Context) error {
	if rt, err := c.runtime.ociRuntimeFor(c.config.OCIRuntime); err == nil {
		if err := rt.DeleteContainer(ctx, c.config.ID); err != nil {
			warnf("container %s: removing it after its conmon died: %v", c.config.Name, err)
		}
	}
	if err := c.cleanupLocked(ctx); err != nil {
		warnf("container %s: cleaning up after its conmon died: %v", c.config.Name, err)
	}
	if c.state.Status == define.StatusExited {
		c.exitEvents()
	}
	return nil
}

// errConmonGone is the state's Error of a container whose conmon died
// without recording an exit code.
const errConmonGone = "conmon exited without recording an exit code"

// applyExitFile moves a container whose process is gone to Stopped, with
// the exit code conmon recorded. It reports whether the state changed.
func (c *Container) applyExitFile() bool {
	changed, _ := c.applyExit()
	return changed
}

// applyExit is applyExitFile that also reports whether the container's
// conmon died without an exit file (then nothing else will clean it up).
func (c *Container) applyExit() (changed, conmonGone bool) {
	switch c.state.Status {
	case define.StatusRunning, define.StatusPaused, define.StatusStopping, define.StatusCreated:
	default:
		return false, false
	}
	rt, err := c.runtime.ociRuntimeFor(c.config.OCIRuntime)
	if err != nil {
		return false, false
	}
	code, finished, oom, exists, err := rt.ExitCode(c.config.ID, c.bundleDir())
	if err != nil {
		return false, false
	}
	if !exists {
		if c.state.ConmonPID <= 0 || pidAlive(c.state.ConmonPID, c.state.ConmonPIDStart) {
			if c.state.Status == define.StatusCreated && c.state.ConmonPID > 0 && rt.Started(c.config.ID) {
				// Started by a command that died before recording it.
				c.state.Status = define.StatusRunning
				c.state.StartedTime = time.Now()
				return true, false
			}
			return false, false
		}
		// conmon gone without an exit file: nothing watches the
		// container any more; the caller that holds the lock kills it.
		if c.state.Status != define.StatusCreated || rt.Started(c.config.ID) {
			c.state.Status = define.StatusStopped
			c.state.ExitCode = -1
			c.state.FinishedTime = time.Now()
			c.state.Error = errConmonGone
		}
		return true, true
	}
	c.state.Status = define.StatusStopped
	c.state.ExitCode = int32(code)
	c.state.FinishedTime = finished
	c.state.OOMKilled = oom
	c.state.PID, c.state.PIDStart = 0, 0
	return true, false
}

// peekExit is applyExitFile for unlocked snapshots: it changes only the
// in-memory copy. It reports whether the container's conmon died without
// an exit file, which only a locked sync can finish (reapConmonless).
func (c *Container) peekExit() bool {
	_, conmonGone := c.applyExit()
	return conmonGone
}

// pidAlive reports whether pid runs (a zombie counts as dead) and is the
// process that started at start (0: not recorded, the PID alone decides).
// Every liveness check of a stored PID goes through it: after conmon and
// the container died, the kernel may have given the PID to a stranger.
func pidAlive(pid int, start uint64) bool { return procps.AliveSince(pid, start) }

// alive reports whether the container's main process runs.
func (c *Container) alive() bool {
	return c.state.PID > 0 && pidAlive(c.state.PID, c.state.PIDStart)
}

// saveLocked persists the state, with the start time of each PID it
// records: the PIDs are stored as they are learned (init, a restart by
// the policy), and this stamps them once, right after.
//
// Preconditions: c.lock is held.
func (c *Container) saveLocked() error {
	st := c.state
	st.PIDStart = stampStart(st.PID, st.PIDStart)
	st.ConmonPIDStart = stampStart(st.ConmonPID, st.ConmonPIDStart)
	return c.runtime.state.SaveContainerState(c.config.ID, st)
}

// stampStart returns the start time to record with pid: the one already
// recorded, or the process's own when there is none; 0 for no PID.
func stampStart(pid int, start uint64) uint64 {
	if pid <= 0 {
		return 0
	}
	if start == 0 {
		start, _ = procps.StartTime(pid)
	}
	return start
}

// setStatusLocked moves the container to a new status through the one
// transition table and persists it.
//
// Preconditions: c.lock is held.
func (c *Container) setStatusLocked(to define.ContainerStatus) error {
	if err := define.CheckTransition(c.config.ID, c.state.Status, to); err != nil {
		return err
	}
	c.state.Status = to
	return c.saveLocked()
}

// stateError is the error for an operation the current status forbids.
func (c *Container) stateError(op string) error {
	return fmt.Errorf("cannot %s container %s: container is %s: %w", op, c.config.Name, c.state.Status.DockerString(), define.ErrCtrStateInvalid)
}

// removingError refuses to use a container whose removal has not
// finished (its storage could not be deleted): it may have lost part of
// its rootfs, and only rm may take it further.
func (c *Container) removingError(op string) error {
	return fmt.Errorf("cannot %s container %s: it is being removed (an earlier rm did not finish; run rm again to finish it): %w", op, c.config.Name, define.ErrCtrStateInvalid)
}

// releaseForRemovalLocked is cleanupLocked for a stopped container about
// to be removed: the runtime record and exec sessions go at once, the
// network teardown runs meanwhile (wait for it with the function returned),
// and the rootfs is left mounted because removing it unmounts it: a --rm
// run's exit pays one c/storage operation instead of two, and netavark's
// teardown overlaps it.
func (c *Container) releaseForRemovalLocked(ctx context.Context) (waitNetwork func(), err error) {
	rt, err := c.runtime.ociRuntimeFor(c.config.OCIRuntime)
	if err != nil {
		return nil, err
	}
	c.stopHealthLocked()
	err = rt.DeleteExited(ctx, c.config.ID)
	if err == nil {
		err = c.removeExecSessionsLocked()
	}
	if err != nil {
		// Undo what can be undone (network, mount) and record it, as the
		// exit cleanup does, then leave the container for a later rm.
		return nil, errors.Join(err, c.cleanupLocked(ctx))
	}
	wait := c.startNetworkTeardownLocked(ctx)
	c.unmountVolumesLocked()
	if err := c.removeOverlaysLocked(); err != nil {
		warnf("%v", err)
	}
	c.clearPIDsLocked()
	c.state.Status = define.StatusExited
	return func() { c.warnNetworkTeardown(wait()) }, nil
}

// clearPIDsLocked forgets the processes of a container that has none.
//
// Preconditions: c.lock is held.
func (c *Container) clearPIDsLocked() {
	c.state.PID, c.state.PIDStart = 0, 0
	c.state.ConmonPID, c.state.ConmonPIDStart = 0, 0
}

// warnNetworkTeardown logs what netavark could not undo: the namespace and
// berth's record are gone either way, and the container's run already
// succeeded, so it is not a failure of its exit.
func (c *Container) warnNetworkTeardown(err error) {
	if err != nil {
		warnf("container %s: network teardown: %v", c.config.Name, err)
	}
}

// cleanupLocked releases what a stopped container holds: the OCI runtime's
// record, the rootfs mount and the run directory. It is idempotent and is
// run by stop, rm and the exit command.
//
// Preconditions: c.lock is held; the container's process is not running.
func (c *Container) cleanupLocked(ctx context.Context) error {
	var errs []error
	rt, err := c.runtime.ociRuntimeFor(c.config.OCIRuntime)
	if err != nil {
		return err
	}
	switch c.state.Status {
	case define.StatusCreated:
		if err := rt.DeleteContainer(ctx, c.config.ID); err != nil {
			errs = append(errs, err)
		}
	case define.StatusStopped:
		if err := rt.DeleteExited(ctx, c.config.ID); err != nil {
			errs = append(errs, err)
		}
	}
	c.stopHealthLocked()
	if err := c.removeExecSessionsLocked(); err != nil {
		errs = append(errs, err)
	}
	c.warnNetworkTeardown(c.teardownNetworkLocked(ctx))
	c.unmountVolumesLocked()
	if err := c.removeOverlaysLocked(); err != nil {
		errs = append(errs, err)
	}
	c.unmountShm()
	if err := c.unmountIDMaps(); err != nil {
		errs = append(errs, err)
	}
	if c.state.Mountpoint != "" && c.config.ImageID != "" {
		store, err := c.runtime.storage()
		if err == nil {
			err = store.Unmount(c.config.ID, false)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("unmounting rootfs: %w", err))
		} else {
			c.state.Mountpoint = ""
		}
	} else if c.config.ImageID == "" {
		c.state.Mountpoint = ""
	}
	c.clearPIDsLocked()
	if c.state.Status == define.StatusCreated {
		c.state.Status = define.StatusConfigured
	} else if c.state.Status == define.StatusStopped {
		c.state.Status = define.StatusExited
	}
	if err := c.saveLocked(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// waitExitLocked waits up to timeout for the process to exit and syncs.
// It reports whether the container stopped.
//
// Preconditions: c.lock is held.
func (c *Container) waitExitLocked(ctx context.Context, timeout time.Duration) (bool, error) {
	rt, err := c.runtime.ociRuntimeFor(c.config.OCIRuntime)
	if err != nil {
		return false, err
	}
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// A conmon that dies (kill -9) will never write the exit file: stop
	// waiting for it then, and let applyExitFile judge.
	if pid, start := c.state.ConmonPID, c.state.ConmonPIDStart; pid > 0 {
		go func() {
			t := time.NewTicker(100 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-wctx.Done():
					return
				case <-t.C:
					if !pidAlive(pid, start) {
						cancel()
						return
					}
				}
			}
		}()
	}
	if _, err := rt.WaitExit(wctx, c.config.ID, c.bundleDir()); err != nil {
		if ctx.Err() != nil || !(errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)) {
			return false, err
		}
	}
	if c.applyExitFile() {
		if err := c.saveLocked(); err != nil {
			return true, err
		}
		c.exitEvents()
		return true, nil
	}
	return c.state.Status.IsStopped(), nil
}

// removeFilesLocked deletes the container's bundle, static dir and exit
// file.
func (c *Container) removeFilesLocked() error {
	var errs []error
	c.unmountShm() // RemoveAll must not empty a mounted /dev/shm
	c.removeHealthFile()
	dirs := []string{c.bundleDir(), c.staticDir(), c.claimPath(), c.copyHoldPath()}
	if err := c.unmountIDMaps(); err != nil {
		// Nor reach into a host directory through an idmap mount.
		errs = append(errs, err)
		dirs = dirs[1:]
	}
	for _, p := range dirs {
		if err := os.RemoveAll(p); err != nil {
			errs = append(errs, err)
		}
	}
	if rt, err := c.runtime.ociRuntimeFor(c.config.OCIRuntime); err == nil {
		paths := []string{rt.ExitFilePath(c.config.ID), filepath.Dir(rt.AttachSocketPath(c.config.ID))}
		for _, p := range paths {
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}
