package service

import (
	"context"
	"syscall"
	"time"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
)

// StopOptions are the options of Stop and Restart.
type StopOptions struct {
	// Selection picks the containers: All is every running container
	// (stop) or every container (restart).
	Selection
	// Timeout is the seconds to wait before killing; nil uses each
	// container's own stop timeout.
	Timeout *uint
	// Signal replaces the containers' stop signal (docker's -s); 0 keeps it.
	Signal syscall.Signal
	// Running restarts only the running ones of All (podman's --running).
	Running bool
}

// Stop stops the named containers (with All, the running ones).
func Stop(ctx context.Context, rt *engine.Runtime, names []string, opts StopOptions) ([]Report, error) {
	return EachSelected(ctx, rt, names, opts.Selection, IsRunning, func(ctx context.Context, c *engine.Container) error {
		return c.StopWith(ctx, opts.Timeout, opts.Signal)
	})
}

// Restart stops and starts the named containers (with All, every one; with
// Running too, the running ones).
func Restart(ctx context.Context, rt *engine.Runtime, names []string, opts StopOptions) ([]Report, error) {
	var keep func(define.ContainerStatus) bool
	if opts.Running {
		keep = IsRunning
	}
	return EachSelected(ctx, rt, names, opts.Selection, keep, func(ctx context.Context, c *engine.Container) error {
		return c.RestartWith(ctx, opts.Timeout, opts.Signal)
	})
}

// KillOptions are the options of Kill.
type KillOptions struct {
	// Selection picks the containers: All is every running one.
	Selection
	Signal syscall.Signal
}

// Kill sends a signal to the named containers (with All, the running ones).
func Kill(ctx context.Context, rt *engine.Runtime, names []string, opts KillOptions) ([]Report, error) {
	return EachSelected(ctx, rt, names, opts.Selection, IsRunning, func(ctx context.Context, c *engine.Container) error {
		return c.Kill(ctx, opts.Signal)
	})
}

// BatchOptions are the options of the verbs that take only a selection:
// Start, Pause, Unpause, Init and Mount.
type BatchOptions struct {
	// Selection picks the containers: All is every container the verb
	// applies to (running ones for pause, paused ones for unpause, created
	// ones for init, every one for start).
	Selection
}

// Pause freezes the named containers (with All, the running ones).
func Pause(ctx context.Context, rt *engine.Runtime, names []string, opts BatchOptions) ([]Report, error) {
	return EachSelected(ctx, rt, names, opts.Selection, func(s define.ContainerStatus) bool { return s == define.StatusRunning },
		func(ctx context.Context, c *engine.Container) error { return c.Pause(ctx) })
}

// Unpause thaws the named containers (with All, the paused ones).
func Unpause(ctx context.Context, rt *engine.Runtime, names []string, opts BatchOptions) ([]Report, error) {
	return EachSelected(ctx, rt, names, opts.Selection, IsPaused,
		func(ctx context.Context, c *engine.Container) error { return c.Unpause(ctx) })
}

// Init creates the named containers in the OCI runtime without starting
// them (with All, every container not yet initialised).
func Init(ctx context.Context, rt *engine.Runtime, names []string, opts BatchOptions) ([]Report, error) {
	return EachSelected(ctx, rt, names, opts.Selection, func(s define.ContainerStatus) bool { return s == define.StatusConfigured },
		func(ctx context.Context, c *engine.Container) error { return c.Init(ctx) })
}

// Start starts the named containers detached (with All, every container;
// the running ones are reported as done, as in podman).
func Start(ctx context.Context, rt *engine.Runtime, names []string, opts BatchOptions) ([]Report, error) {
	return EachSelected(ctx, rt, names, opts.Selection, nil,
		func(ctx context.Context, c *engine.Container) error { return c.Start(ctx) })
}

// UnmountOptions are the options of Unmount.
type UnmountOptions struct {
	// Selection picks the containers (All: every one, Latest: the newest).
	Selection
	// Force unmounts however many times the layer was mounted.
	Force bool
}

// Unmount unmounts the named containers' root filesystems.
func Unmount(ctx context.Context, rt *engine.Runtime, names []string, opts UnmountOptions) ([]Report, error) {
	return EachSelected(ctx, rt, names, opts.Selection, nil, func(ctx context.Context, c *engine.Container) error {
		return c.Unmount(ctx, opts.Force)
	})
}

// Mount mounts the named containers' root filesystems (with All, every
// container); each successful report carries its Mountpoint.
func Mount(ctx context.Context, rt *engine.Runtime, names []string, opts BatchOptions) ([]Report, error) {
	mps := map[string]string{}
	reports, err := EachSelected(ctx, rt, names, opts.Selection, nil, func(ctx context.Context, c *engine.Container) error {
		mp, err := c.Mount(ctx)
		mps[c.ID()] = mp
		return err
	})
	for i := range reports {
		if reports[i].Err == nil {
			reports[i].Mountpoint = mps[reports[i].ID]
		}
	}
	return reports, err
}

// MountedContainer is a container whose root filesystem is mounted.
type MountedContainer struct {
	ID         string
	Mountpoint string
}

// Mounted lists the containers whose root filesystem is mounted.
func Mounted(rt *engine.Runtime) ([]MountedContainer, error) {
	rows, err := List(rt, ListOptions{All: true})
	if err != nil {
		return nil, err
	}
	var out []MountedContainer
	for _, r := range rows {
		c, err := rt.LookupContainer(r.ID)
		if err != nil {
			continue
		}
		if mp := c.CachedState().Mountpoint; mp != "" {
			out = append(out, MountedContainer{ID: r.ID, Mountpoint: mp})
		}
	}
	return out, nil
}

// WaitOptions are the options of Wait.
type WaitOptions struct {
	// Latest waits for the most recently created container instead of names.
	Latest bool
	// Conditions are the statuses to wait for; none (and no Health)
	// means the exit.
	Conditions []define.ContainerStatus
	// Health are health statuses to wait for (healthy, unhealthy).
	Health []string
	// Interval is how often a wait for conditions looks at the container
	// (podman's --interval; 0: 100ms). The exit itself wakes a plain wait.
	Interval time.Duration
}

// Wait blocks until each named container reaches one of the conditions
// (by default, until it exits); each successful report carries the exit
// code.
func Wait(ctx context.Context, rt *engine.Runtime, names []string, opts WaitOptions) ([]Report, error) {
	if opts.Latest {
		ctrs, _, err := Resolve(rt, names, false, true)
		if err != nil {
			return nil, err
		}
		names = []string{ctrs[0].ID()}
	}
	codes := map[string]int32{}
	reports, err := Each(ctx, rt, names, false, func(ctx context.Context, c *engine.Container) error {
		code, err := waitFor(ctx, c, opts.Conditions, opts.Health, opts.Interval)
		codes[c.ID()] = code
		return err
	})
	for i := range reports {
		if reports[i].Err == nil {
			reports[i].ExitCode = codes[reports[i].ID]
		}
	}
	return reports, err
}

// waitFor waits for the exit when the only condition is stopped or exited
// (or there is none), else for any of the statuses.
func waitFor(ctx context.Context, c *engine.Container, conditions []define.ContainerStatus, health []string, interval time.Duration) (int32, error) {
	if len(health) > 0 {
		return c.WaitForCondition(ctx, conditions, health, interval)
	}
	onlyExit := len(conditions) == 0
	for _, s := range conditions {
		if s == define.StatusStopped || s == define.StatusExited {
			onlyExit = onlyExit || len(conditions) == 1
		}
	}
	if onlyExit {
		return c.Wait(ctx)
	}
	return c.WaitForCondition(ctx, conditions, nil, interval)
}
