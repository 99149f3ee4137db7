package engine

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/fault"
)

// Init creates the container in the OCI runtime without starting it
// (Configured -> Created). A pod member's dependencies (the infra) are
// started first, as podman's init does for pod members: their namespaces
// must exist to be joined.
func (c *Container) Init(ctx context.Context) error {
	if c.config.Pod != "" {
		if err := c.startDependencies(ctx); err != nil {
			return err
		}
	}
	if err := c.lockSync(); err != nil {
		return err
	}
	defer c.lock.Unlock()
	switch c.state.Status {
	case define.StatusCreated:
		return fmt.Errorf("container %s has already been created in runtime (state created): %w", c.config.Name, define.ErrCtrStateInvalid)
	case define.StatusRemoving:
		return c.removingError("initialize")
	}
	return c.initLocked(ctx)
}

// Start starts the container, creating it in the runtime first if needed.
// Starting a running container is not an error (docker and podman agree).
// The containers whose namespaces it joins are started first, as podman
// does.
func (c *Container) Start(ctx context.Context) error {
	if err := c.startDependencies(ctx); err != nil {
		return err
	}
	if err := c.lockSync(); err != nil {
		return err
	}
	defer c.lock.Unlock()
	if c.state.Status != define.StatusRunning {
		// A user start gives the restart policy a fresh budget.
		c.state.RestartCount = 0
	}
	return c.startLocked(ctx)
}

// startDependencies starts each dependency that is not running (and its
// own, recursively: the graph has no cycles, a dependency always exists
// before its dependents). c's lock is not held meanwhile: two sibling
// containers' locks are never held at once.
func (c *Container) startDependencies(ctx context.Context) error {
	for _, id := range c.config.Dependencies {
		dep, err := c.runtime.containerByID(id)
		if err != nil {
			return fmt.Errorf("dependency %s of container %s: %w", id, c.config.Name, err)
		}
		if err := dep.Start(ctx); err != nil {
			// %v, not %w: the dependency's missing command is not this
			// container's (exit 125, not 127).
			return fmt.Errorf("starting dependency %s of container %s: %v: %w", dep.Name(), c.config.Name, err, define.ErrCtrStateInvalid)
		}
	}
	return nil
}

// startLocked brings the container from any stopped status to Running.
//
// Preconditions: c.lock is held.
func (c *Container) startLocked(ctx context.Context) error {
	switch c.state.Status {
	case define.StatusRunning:
		return nil
	case define.StatusPaused, define.StatusStopping:
		return c.stateError("start")
	case define.StatusRemoving:
		return c.removingError("start")
	case define.StatusConfigured, define.StatusStopped, define.StatusExited:
		if err := c.initLocked(ctx); err != nil {
			return err
		}
	}
	return c.runLocked(ctx)
}

// runLocked starts a Created container. If the runtime refuses (missing
// executable, bad user), the container is cleaned up and marked exited
// with docker's exit code (127 not found, 126 cannot invoke).
//
// Preconditions: c.lock is held; status is Created.
func (c *Container) runLocked(ctx context.Context) error {
	rt, err := c.runtime.ociRuntimeFor(c.config.OCIRuntime)
	if err != nil {
		return err
	}
	// Taken before the start: a short process can exit (and conmon stamp
	// its finish) before StartContainer returns.
	started := time.Now()
	fault.At("start", c.state.ConmonPID, c.state.PID)
	if err := rt.StartContainer(ctx, c.config.ID, c.state.PID); err != nil {
		c.state.Status = define.StatusStopped
		c.state.ExitCode = exitCodeFromError(err)
		c.state.Error = err.Error()
		c.state.FinishedTime = time.Now()
		_ = c.cleanupLocked(ctx)
		return fmt.Errorf("container %s: %w", c.config.Name, err)
	}
	fault.At("start-started", c.state.ConmonPID, c.state.PID)
	c.state.Status = define.StatusRunning
	c.state.StartedTime = started
	c.state.FinishedTime = time.Time{}
	c.state.StoppedByUser = false
	c.state.RestartAt = time.Time{}
	if err := c.saveLocked(); err != nil {
		return err
	}
	c.runtime.event(c.newEvent("start"))
	if err := c.startHealthLocked(); err != nil {
		// The container runs; only its checks will not.
		warnf("%v", err)
	}
	return nil
}

// Stop sends the stop signal, waits up to timeout seconds, then SIGKILL.
// Stopping a stopped container is a no-op.
func (c *Container) Stop(ctx context.Context, timeout *uint) error {
	return c.StopWith(ctx, timeout, 0)
}

// StopWith is Stop sending sig instead of the container's stop signal
// (docker's stop -s); 0 keeps the container's.
func (c *Container) StopWith(ctx context.Context, timeout *uint, sig syscall.Signal) error {
	if err := c.lockSync(); err != nil {
		return err
	}
	defer c.lock.Unlock()
	t := c.config.StopTimeout
	if timeout != nil {
		t = *timeout
	}
	return c.stopSignalLocked(ctx, t, sig)
}

// stopLocked stops the process with its stop signal and cleans up after it.
//
// Preconditions: c.lock is held.
func (c *Container) stopLocked(ctx context.Context, timeout uint) error {
	return c.stopSignalLocked(ctx, timeout, 0)
}

// stopSignalLocked is stopLocked sending sig (0: the stop signal).
//
// Preconditions: c.lock is held.
func (c *Container) stopSignalLocked(ctx context.Context, timeout uint, sig syscall.Signal) error {
	if sig == 0 {
		sig = syscall.Signal(c.config.StopSignal)
	}
	switch c.state.Status {
	case define.StatusConfigured, define.StatusExited:
		return c.cancelRestartLocked()
	case define.StatusStopped:
		// Exited, its exit command not run yet: this stop is what
		// keeps the restart policy from restarting it.
		c.state.StoppedByUser = true
		return c.cleanupLocked(ctx)
	case define.StatusRemoving:
		return c.removingError("stop")
	}
	rt, err := c.runtime.ociRuntimeFor(c.config.OCIRuntime)
	if err != nil {
		return err
	}
	c.state.StoppedByUser = true
	wasPaused := c.state.Status == define.StatusPaused
	if c.state.Status != define.StatusCreated {
		c.state.Status = define.StatusStopping
	}
	if err := c.saveLocked(); err != nil {
		return err
	}
	fault.At("stop", c.state.ConmonPID, c.state.PID)
	stopped := false
	if c.state.Status == define.StatusStopping && timeout > 0 {
		if err := rt.KillContainer(ctx, c.config.ID, sig, false); err != nil {
			// The process may have exited since the sync (a restart
			// policy's crash loop): then there is nothing to signal.
			if exited, werr := c.waitExitLocked(ctx, time.Second); werr != nil || !exited {
				return err
			}
			stopped = true
		}
		if wasPaused {
			_ = rt.ResumeContainer(ctx, c.config.ID)
		}
		if !stopped {
			if stopped, err = c.waitExitLocked(ctx, time.Duration(timeout)*time.Second); err != nil {
				return err
			}
		}
		if !stopped {
			warnf("StopSignal %s failed to stop container %s in %d seconds, resorting to SIGKILL", signalName(uint(sig)), c.config.Name, timeout)
		}
	}
	if !stopped {
		if err := rt.KillContainer(ctx, c.config.ID, syscall.SIGKILL, c.hasCgroup()); err != nil && !errors.Is(err, define.ErrNoSuchCtr) {
			if exited, werr := c.waitExitLocked(ctx, time.Second); werr != nil || !exited {
				return err
			}
		}
		if wasPaused {
			_ = rt.ResumeContainer(ctx, c.config.ID)
		}
		if c.state.Status == define.StatusCreated {
			// A created container has no exit file to wait for.
			c.state.Status = define.StatusStopped
			c.state.ExitCode = 137
			c.state.FinishedTime = time.Now()
		} else if stopped, err = c.waitExitLocked(ctx, 30*time.Second); err != nil {
			return err
		} else if !stopped {
			return fmt.Errorf("container %s did not exit after SIGKILL", c.config.Name)
		}
	}
	if err := c.cleanupLocked(ctx); err != nil {
		return err
	}
	c.runtime.event(c.newEvent("stop"))
	return nil
}

// Kill sends a signal to the container's main process.
func (c *Container) Kill(ctx context.Context, sig syscall.Signal) error {
	if err := c.lockSync(); err != nil {
		return err
	}
	defer c.lock.Unlock()
	switch c.state.Status {
	case define.StatusRunning, define.StatusPaused, define.StatusStopping, define.StatusCreated:
	default:
		return fmt.Errorf("can only kill running containers. %s is in state %s: %w", c.config.Name, c.state.Status.DockerString(), define.ErrCtrStateInvalid)
	}
	rt, err := c.runtime.ociRuntimeFor(c.config.OCIRuntime)
	if err != nil {
		return err
	}
	c.state.StoppedByUser = true
	if err := c.saveLocked(); err != nil {
		return err
	}
	if err := rt.KillContainer(ctx, c.config.ID, sig, false); err != nil {
		return err
	}
	c.runtime.event(c.newEvent("kill", "signal", fmt.Sprint(int(sig))))
	return nil
}

// Pause freezes every process of a running container.
func (c *Container) Pause(ctx context.Context) error {
	if err := c.lockSync(); err != nil {
		return err
	}
	defer c.lock.Unlock()
	switch c.state.Status {
	case define.StatusRunning:
	case define.StatusPaused:
		return fmt.Errorf("%q is already paused: %w", c.config.Name, define.ErrCtrStateInvalid)
	default:
		return fmt.Errorf("%q is in state %s, not running: can't pause: %w", c.config.Name, c.state.Status.DockerString(), define.ErrCtrStateInvalid)
	}
	if c.config.CgroupsMode == "disabled" {
		// The freezer is a cgroup; podman's words.
		return fmt.Errorf("cannot pause without using CGroups: %w", define.ErrInvalidArg)
	}
	if err := c.runtime.CheckCgroups("pause"); err != nil {
		return err
	}
	rt, err := c.runtime.ociRuntimeFor(c.config.OCIRuntime)
	if err != nil {
		return err
	}
	if err := rt.PauseContainer(ctx, c.config.ID); err != nil {
		return err
	}
	c.runtime.event(c.newEvent("pause"))
	return c.setStatusLocked(define.StatusPaused)
}

// Unpause thaws a paused container.
func (c *Container) Unpause(ctx context.Context) error {
	if err := c.lockSync(); err != nil {
		return err
	}
	defer c.lock.Unlock()
	if c.state.Status != define.StatusPaused {
		return fmt.Errorf("%q is in state %s, not paused: can't unpause: %w", c.config.Name, c.state.Status.DockerString(), define.ErrCtrStateInvalid)
	}
	rt, err := c.runtime.ociRuntimeFor(c.config.OCIRuntime)
	if err != nil {
		return err
	}
	if err := rt.ResumeContainer(ctx, c.config.ID); err != nil {
		return err
	}
	c.runtime.event(c.newEvent("unpause"))
	return c.setStatusLocked(define.StatusRunning)
}

// Restart stops the container (if running) and starts it again.
func (c *Container) Restart(ctx context.Context, timeout *uint) error {
	return c.RestartWith(ctx, timeout, 0)
}

// RestartWith is Restart stopping with sig (0: the stop signal).
func (c *Container) RestartWith(ctx context.Context, timeout *uint, sig syscall.Signal) error {
	if err := c.lockSync(); err != nil {
		return err
	}
	defer c.lock.Unlock()
	t := c.config.StopTimeout
	if timeout != nil {
		t = *timeout
	}
	if err := c.stopSignalLocked(ctx, t, sig); err != nil {
		return err
	}
	// RestartCount counts restarts by the policy only, like docker's.
	c.state.RestartCount = 0
	c.runtime.event(c.newEvent("restart"))
	return c.startLocked(ctx)
}

// Wait blocks until the container is not running and returns its exit
// code. It holds no lock while waiting, so other commands can act on the
// container meanwhile.
func (c *Container) Wait(ctx context.Context) (int32, error) {
	rt, err := c.runtime.ociRuntimeFor(c.config.OCIRuntime)
	if err != nil {
		return -1, err
	}
	for {
		if err := c.lockSync(); err != nil {
			if errors.Is(err, define.ErrCtrRemoved) {
				// Removed meanwhile (--rm): the database kept its exit code.
				if code, err2 := c.runtime.state.RemovedExitCode(c.config.ID); err2 == nil {
					return code, nil
				}
			}
			return -1, err
		}
		st := c.state.Status
		code := c.state.ExitCode
		c.lock.Unlock()
		switch st {
		case define.StatusConfigured:
			// never started: like docker, wait for it to run and exit.
		case define.StatusStopped, define.StatusExited:
			return code, nil
		default:
			// Bounded, so a removal (exit file gone) or a dead conmon is
			// noticed by the next sync instead of waiting forever.
			wctx, cancel := context.WithTimeout(ctx, time.Second)
			_, err := rt.WaitExit(wctx, c.config.ID, c.bundleDir())
			cancel()
			if err != nil && ctx.Err() != nil {
				return -1, ctx.Err()
			}
			continue
		}
		select {
		case <-ctx.Done():
			return -1, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Cleanup is run by conmon's exit command when the container's process
// exits: it releases the runtime record, mounts and network, then applies
// the restart policy or --rm. A container that is still running (a stale
// call) is left alone.
func (c *Container) Cleanup(ctx context.Context, remove bool) error {
	// An attached run does this itself; wait for it to finish (or die).
	c.waitForClaim()
	return c.cleanupAfterExit(ctx, remove)
}

// cleanupAfterExit is Cleanup without regard for claims.
func (c *Container) cleanupAfterExit(ctx context.Context, remove bool) error {
	if err := c.lockSync(); err != nil {
		if errors.Is(err, define.ErrCtrRemoved) {
			return nil
		}
		return err
	}
	fault.At("cleanup", 0, 0)
	exited := false
	switch c.state.Status {
	case define.StatusStopped:
		if remove || c.config.AutoRemove {
			// --rm: release and remove in one pass under the lock.
			err := c.runtime.removeLocked(ctx, c, RemoveOptions{Force: true}, true)
			c.lock.Unlock()
			if c.config.Pod != "" && !c.config.IsInfra && c.config.InitContainerType == "" {
				c.runtime.stopPodIfDone(ctx, c.config.Pod)
			}
			if errors.Is(err, define.ErrCtrRemoved) || errors.Is(err, define.ErrNoSuchCtr) || errors.Is(err, errCopyInProgress) {
				return nil
			}
			return err
		}
		if err := c.cleanupLocked(ctx); err != nil {
			c.lock.Unlock()
			return err
		}
		exited = true
		c.runtime.event(c.newEvent("cleanup"))
	case define.StatusExited, define.StatusConfigured:
	default:
		c.lock.Unlock()
		return nil
	}
	// The policy applies only to an exit this cleanup observed, never to
	// a container that was stopped by stop/rm or never ran.
	if exited && c.shouldRestartLocked() {
		return c.policyRestart(ctx)
	}
	c.lock.Unlock()
	// An init container's exit is the pod starting, not its end.
	if exited && c.config.Pod != "" && !c.config.IsInfra && c.config.InitContainerType == "" {
		c.runtime.stopPodIfDone(ctx, c.config.Pod)
	}
	if remove || c.config.AutoRemove {
		err := c.runtime.RemoveContainer(ctx, c, RemoveOptions{Force: true})
		if errors.Is(err, define.ErrCtrRemoved) || errors.Is(err, define.ErrNoSuchCtr) {
			return nil
		}
		return err
	}
	return nil
}

// shouldRestartLocked applies the restart policy to an exited container.
func (c *Container) shouldRestartLocked() bool {
	if c.state.StoppedByUser || c.config.AutoRemove {
		return false
	}
	switch c.config.Restart {
	case "always", "unless-stopped":
		return true
	case "on-failure":
		if c.state.ExitCode == 0 {
			return false
		}
		return c.config.RestartMax == 0 || uint(c.state.RestartCount) < c.config.RestartMax
	}
	return false
}

// Rename changes the container's name.
func (c *Container) Rename(ctx context.Context, newName string) error {
	if err := ValidateName(newName); err != nil {
		return err
	}
	if err := c.lockSync(); err != nil {
		return err
	}
	defer c.lock.Unlock()
	if err := c.runtime.state.RenameContainer(c.config.ID, newName); err != nil {
		return err
	}
	if c.config.ImageID != "" {
		// The storage container carries the name too; keep them in step.
		store, err := c.runtime.storage()
		if err == nil {
			err = store.Rename(c.config.ID, newName)
		}
		if errors.Is(err, define.ErrNoSuchCtr) {
			err = nil // no rootfs yet: it gets the new name when created
		}
		if err != nil {
			_ = c.runtime.state.RenameContainer(c.config.ID, c.config.Name)
			return err
		}
	}
	old := c.config.Name
	c.config.Name = newName
	c.runtime.event(c.newEvent("rename", "oldName", old))
	return nil
}

// Mount mounts the container's rootfs for the user and returns the path.
// Each Mount must be paired with an Unmount.
func (c *Container) Mount(ctx context.Context) (string, error) {
	if err := c.lockSync(); err != nil {
		return "", err
	}
	defer c.lock.Unlock()
	if c.state.Status == define.StatusRemoving {
		// Mounting would make its rootfs again.
		return "", c.removingError("mount")
	}
	mp, err := c.mountRootfsLocked()
	if err != nil {
		return "", err
	}
	c.state.MountCount++
	if c.state.Mountpoint == "" {
		c.state.Mountpoint = mp
	}
	if err := c.saveLocked(); err != nil {
		c.unmountRootfsLocked()
		return "", err
	}
	c.runtime.event(c.newEvent("mount"))
	return mp, nil
}

// Unmount drops one user mount of the rootfs. The rootfs stays mounted
// while the container runs.
func (c *Container) Unmount(ctx context.Context, force bool) error {
	if err := c.lockSync(); err != nil {
		return err
	}
	defer c.lock.Unlock()
	if c.state.MountCount == 0 && !force {
		return nil
	}
	if c.config.ImageID != "" {
		store, err := c.runtime.storage()
		if err != nil {
			return err
		}
		if err := store.Unmount(c.config.ID, force); err != nil {
			return err
		}
		if n, err := store.Mounted(c.config.ID); err == nil && n == 0 {
			c.state.Mountpoint = ""
		}
	}
	if c.state.MountCount > 0 {
		c.state.MountCount--
	}
	if force {
		c.state.MountCount = 0
	}
	c.runtime.event(c.newEvent("unmount"))
	return c.saveLocked()
}

// WaitForStatus polls until the container is in one of the statuses and
// returns its exit code at that moment, or -1 when it has not exited
// (podman prints -1 for `wait --condition running`). Stopped and exited
// both mean "the process is gone", for either condition.
func (c *Container) WaitForStatus(ctx context.Context, want []define.ContainerStatus) (int32, error) {
	return c.WaitForCondition(ctx, want, nil, 0)
}

// WaitForCondition is WaitForStatus that also returns once the
// container's health is one of health (healthy, unhealthy), with -1. A
// wait for health alone fails once the container is not running: it will
// not become healthy any more. It looks every interval (podman's wait
// --interval; 0: 100ms).
func (c *Container) WaitForCondition(ctx context.Context, want []define.ContainerStatus, health []string, interval time.Duration) (int32, error) {
	if interval <= 0 {
		interval = 100 * time.Millisecond
	}
	if len(health) > 0 && !c.HasHealthCheck() {
		return -1, fmt.Errorf("cannot use condition %q: container %s has no healthcheck: %w", health[0], c.config.ID, define.ErrInvalidArg)
	}
	for {
		if err := c.lockSync(); err != nil {
			return -1, err
		}
		st, code := c.state.Status, c.state.ExitCode
		c.lock.Unlock()
		for _, w := range want {
			if st == w || (w == define.StatusExited && st == define.StatusStopped) || (w == define.StatusStopped && st == define.StatusExited) ||
				(w == define.StatusCreated && st == define.StatusConfigured) {
				if st != define.StatusStopped && st != define.StatusExited {
					code = -1
				}
				return code, nil
			}
		}
		if len(health) > 0 {
			hs := c.HealthStatus()
			for _, h := range health {
				if h == hs && (st == define.StatusRunning || st == define.StatusPaused) {
					return -1, nil
				}
			}
			if len(want) == 0 && (st == define.StatusStopped || st == define.StatusExited) {
				return -1, fmt.Errorf("container %s is not running, its health will not change: %w", c.config.Name, define.ErrCtrStateInvalid)
			}
		}
		select {
		case <-ctx.Done():
			return -1, ctx.Err()
		case <-time.After(interval):
		}
	}
}

// hasCgroup reports whether the container has a cgroup of its own, which
// kill --all needs (not with --cgroups=disabled, nor rootless on v1).
func (c *Container) hasCgroup() bool {
	return c.config.CgroupsMode != "disabled" && !c.runtime.cfg.noCgroups()
}

// CheckCgroups refuses verb (podman's wording: "pause", "update", "stats")
// for a rootless engine that has no cgroup of its own (cgroup v1, or v2
// with nothing delegated to the user): the freezer, the limits and the
// counters are cgroups.
func (r *Runtime) CheckCgroups(verb string) error {
	if !r.cfg.noCgroups() {
		return nil
	}
	if verb == "stats" {
		return fmt.Errorf("stats is not supported in rootless mode without cgroups v2: %w", define.ErrInvalidArg)
	}
	return fmt.Errorf("can not %s containers on rootless containers with cgroup V1 (or without a delegated cgroup v2 subtree): this container does not have a cgroup: %w", verb, define.ErrInvalidArg)
}
