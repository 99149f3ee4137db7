package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/fault"
	"github.com/berth-dev/berth/internal/signals"
)

// RemoveOptions tunes RemoveContainer.
type RemoveOptions struct {
	// Force stops a running container first.
	Force bool
	// Timeout overrides the container's stop timeout when forcing.
	Timeout *uint
	// Volumes removes the container's anonymous volumes with it (rm -v;
	// a --rm container's always go).
	Volumes bool
	// pod is set by the pod's own removal, the one way to remove an
	// infra container.
	pod bool
}

// RemoveContainer deletes a container: its runtime record, rootfs, files,
// database row and lock. A running container needs Force. A container
// others depend on (they join its namespaces) is refused, Force or not,
// as podman does: remove the dependents first (rm --depend).
//
// The database row goes last, once the rootfs is gone: when storage
// cannot delete it, the container stays, in state Removing (it cannot
// start again), holding its name, and the next rm tries again. Deleting
// the row anyway would leave a storage container holding the name, and
// the next container of that name would fail at its first start.
func (r *Runtime) RemoveContainer(ctx context.Context, c *Container, opts RemoveOptions) error {
	if err := c.lockSync(); err != nil {
		return err
	}
	defer c.lock.Unlock()
	err := r.removeLocked(ctx, c, opts, false)
	if errors.Is(err, errCopyInProgress) && opts.Force {
		// Stopped and marked Removing: the last copy to end removes it.
		warnf("container %s: %v; it is removed when the copy ends", c.config.Name, errCopyInProgress)
		return nil
	}
	return err
}

// removeLocked is RemoveContainer with c's lock held. cleanupEvent reports
// the release of a stopped container as a "cleanup" event first, as the
// exit cleanup of a --rm container does.
func (r *Runtime) removeLocked(ctx context.Context, c *Container, opts RemoveOptions, cleanupEvent bool) error {
	if c.config.IsInfra && !opts.pod {
		if _, err := r.state.Pod(c.config.Pod); err == nil {
			return fmt.Errorf("container %s is the infra container of pod %s and cannot be removed without removing the pod: %w", c.config.ID, c.config.Pod, define.ErrCtrStateInvalid)
		}
	}
	if deps, err := r.state.ContainerDependents(c.config.ID); err != nil {
		return err
	} else if len(deps) > 0 {
		return fmt.Errorf("container %s has dependent containers which must be removed before it: %s: %w", c.config.ID, strings.Join(deps, ", "), define.ErrCtrExists)
	}
	if !opts.Force && c.copyInProgressLocked() {
		return fmt.Errorf("cannot remove container %s: %w (wait for it to end, or use --force): %w", c.config.Name, errCopyInProgress, define.ErrCtrStateInvalid)
	}
	waitNetwork := func() {}
	switch st := c.state.Status; {
	case opts.Force || st == define.StatusRunning || st == define.StatusPaused || st == define.StatusStopping:
		// The running case below refuses without Force.
	case c.state.MountCount > 0:
		return c.userMountedError()
	}
	switch c.state.Status {
	case define.StatusRunning, define.StatusPaused, define.StatusStopping:
		if !opts.Force {
			return fmt.Errorf("cannot remove container %s as it is %s - running or paused containers cannot be removed without force: %w", c.config.ID, c.state.Status, define.ErrCtrStateInvalid)
		}
		t := c.config.StopTimeout
		if opts.Timeout != nil {
			t = *opts.Timeout
		}
		if err := c.stopLocked(ctx, t); err != nil {
			return fmt.Errorf("stopping container %s before removal: %w", c.config.Name, err)
		}
	case define.StatusCreated:
		if err := c.stopLocked(ctx, 0); err != nil {
			return err
		}
	case define.StatusStopped:
		wait, err := c.releaseForRemovalLocked(ctx)
		if err != nil {
			return err
		}
		waitNetwork = wait
		if cleanupEvent {
			r.event(c.newEvent("cleanup"))
		}
	default:
		// A berth killed half-way through a start can leave a runtime
		// container and networking behind one that never got created; a
		// Removing one is an earlier removal to finish.
		c.reapOrphanLocked(ctx)
		if err := c.teardownNetworkLocked(ctx); err != nil {
			warnf("container %s: tearing down its network: %v", c.config.Name, err)
		}
	}
	if c.state.MountCount > 0 && !opts.Force {
		waitNetwork()
		return c.userMountedError()
	}
	fault.At("rm-released", 0, 0)
	c.state.Status = define.StatusRemoving
	c.state.RemoveVolumes = c.state.RemoveVolumes || opts.Volumes
	if err := c.saveLocked(); err != nil {
		waitNetwork()
		return err
	}
	if c.copyInProgressLocked() {
		// Forced: the copy's release finishes the removal (releaseCopy).
		waitNetwork()
		return fmt.Errorf("container %s: %w", c.config.Name, errCopyInProgress)
	}
	if c.config.ImageID != "" || mapsStorage(c.config) {
		store, err := r.storage()
		if err == nil {
			err = store.DeleteContainer(c.config.ID)
		}
		if err != nil {
			waitNetwork()
			return fmt.Errorf("removing the rootfs of container %s (it is left in state removing; rm it again to finish): %w", c.config.Name, err)
		}
	}
	waitNetwork()
	fault.At("rm-storage", 0, 0)
	var errs []error
	if err := c.removeFilesLocked(); err != nil {
		errs = append(errs, err)
	}
	if err := r.state.RemoveContainer(c.config.ID); err != nil {
		return errors.Join(append(errs, err)...)
	}
	c.valid = false
	if err := r.locks.Free(c.config.ID); err != nil {
		errs = append(errs, err)
	}
	r.event(c.newEvent("remove"))
	if c.state.RemoveVolumes || c.config.AutoRemove {
		if err := r.removeAnonymousVolumes(ctx, c.config); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Dependents returns the IDs of the containers that depend on c (join its
// namespaces), which must be removed before it.
func (c *Container) Dependents() ([]string, error) {
	return c.runtime.state.ContainerDependents(c.config.ID)
}

// userMountedError refuses to remove a container `berth mount` holds.
func (c *Container) userMountedError() error {
	return fmt.Errorf("container %s is mounted by the user; unmount it first or use --force: %w", c.config.Name, define.ErrCtrStateInvalid)
}

// warnf prints a warning to stderr the way podman does ("WARN[0010] ...").
func warnf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "WARN[0000] "+format+"\n", args...)
}

func signalName(sig uint) string { return signals.Name(syscall.Signal(sig)) }
