package engine

import (
	"context"
	"fmt"

	"github.com/berth-dev/berth/engine/define"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// MigrateOptions are the options of Migrate (podman system migrate).
type MigrateOptions struct {
	// NewRuntime, when set, is the OCI runtime (name or path) every
	// container is moved to.
	NewRuntime string
}

// Migrate brings existing containers in line with this engine after an
// upgrade, as podman's system migrate does: it stops every running
// container (calling stopped with each ID), so that the next start runs
// with the current engine and runtime, and with NewRuntime points every
// container at that runtime. An unknown NewRuntime is refused before
// anything is stopped.
func (r *Runtime) Migrate(ctx context.Context, opts MigrateOptions, stopped func(id string)) error {
	if opts.NewRuntime != "" {
		if _, err := r.ociRuntimeFor(opts.NewRuntime); err != nil {
			return fmt.Errorf("change to runtime %q requested but no such runtime is defined: %v: %w", opts.NewRuntime, err, define.ErrInvalidArg)
		}
	}
	ctrs, err := r.Containers()
	if err != nil {
		return err
	}
	for _, c := range ctrs {
		switch c.CachedState().Status {
		case define.StatusRunning, define.StatusPaused, define.StatusStopping:
			if err := c.Stop(ctx, nil); err != nil {
				return fmt.Errorf("cannot stop container %s: %w", c.ID(), err)
			}
			stopped(c.ID())
		}
	}
	if opts.NewRuntime == "" {
		return nil
	}
	for _, c := range ctrs {
		if err := c.setOCIRuntime(ctx, opts.NewRuntime); err != nil {
			return err
		}
	}
	return nil
}

// setOCIRuntime moves a stopped container to another OCI runtime. What
// the old runtime still holds of it (a created or exited container's
// record) is deleted with the old runtime first: the new one could not
// read it.
func (c *Container) setOCIRuntime(ctx context.Context, name string) error {
	if err := c.lockSync(); err != nil {
		return err
	}
	defer c.lock.Unlock()
	if c.config.OCIRuntime == name {
		return nil
	}
	switch c.state.Status {
	case define.StatusCreated, define.StatusStopped:
		if err := c.cleanupLocked(ctx); err != nil {
			return err
		}
	case define.StatusConfigured, define.StatusExited:
	case define.StatusRemoving:
		return nil // rm finishes it; it never runs again
	default:
		return c.stateError("change the OCI runtime of")
	}
	err := c.runtime.state.UpdateContainer(c.config.ID, func(cfg *define.ContainerConfig, _ *specs.Spec) error {
		cfg.OCIRuntime = name
		return nil
	})
	if err != nil {
		return err
	}
	c.config.OCIRuntime = name
	return nil
}

// lockPruner is a lock manager that can drop the locks of objects that
// are gone (lock.FileManager).
type lockPruner interface {
	Prune(keep func(id string) bool) ([]string, error)
}

// Renumber is podman's system renumber. berth's locks are not numbered
// out of a fixed pool but are files named by object ID, so there is
// nothing to re-allocate; what a crash can leave behind is the lock
// files of containers, pods and volumes that no longer exist, and
// Renumber removes those (never one that is held). It returns the IDs
// whose lock files it removed.
func (r *Runtime) Renumber() ([]string, error) {
	p, ok := r.locks.(lockPruner)
	if !ok {
		return nil, nil
	}
	keep := map[string]bool{}
	ctrs, err := r.state.ContainerSummaries()
	if err != nil {
		return nil, err
	}
	for _, rec := range ctrs {
		keep[rec.Config.ID] = true
	}
	pods, err := r.state.Pods()
	if err != nil {
		return nil, err
	}
	for _, pod := range pods {
		keep[pod.ID] = true
	}
	vols, err := r.state.Volumes()
	if err != nil {
		return nil, err
	}
	for _, v := range vols {
		keep[volumeLockID(v.Config.Name)] = true
	}
	return p.Prune(func(id string) bool { return keep[id] })
}
