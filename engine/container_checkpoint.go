package engine

import (
	"context"
	"fmt"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/oci"
)

// CheckpointOptions are podman's `container checkpoint` options.
type CheckpointOptions struct {
	Export         string
	LeaveRunning   bool
	TCPEstablished bool
	Keep           bool
	IgnoreRootfs   bool
	IgnoreVolumes  bool
	FileLocks      bool
	PreCheckpoint  bool
	WithPrevious   bool
	PrintStats     bool
}

// RestoreOptions are podman's `container restore` options.
type RestoreOptions struct {
	Import         string
	Name           string
	Keep           bool
	TCPEstablished bool
	IgnoreRootfs   bool
	IgnoreVolumes  bool
	FileLocks      bool
	PrintStats     bool
}

// errCRIUWiring is what checkpoint and restore answer on a host whose CRIU
// passes `criu check`: the runc/conmon restore path is not wired yet, and
// checkpointing without a way back would only stop the container.
var errCRIUWiring = fmt.Errorf("checkpoint/restore through runc and CRIU is not implemented in berth yet: %w", define.ErrNotImplemented)

// Checkpoint saves a running container's processes with CRIU. It first
// proves CRIU usable, so a host where it cannot work gets that reason
// and the container keeps running.
func (c *Container) Checkpoint(ctx context.Context, opts CheckpointOptions) error {
	if err := c.lockSync(); err != nil {
		return err
	}
	defer c.lock.Unlock()
	if c.state.Status != define.StatusRunning {
		return fmt.Errorf("%q is not running, cannot checkpoint: %w", c.config.Name, define.ErrCtrStateInvalid)
	}
	if err := oci.CheckCRIU(ctx); err != nil {
		return err
	}
	return errCRIUWiring
}

// CheckCRIU reports whether CRIU can checkpoint and restore on this host
// (restore of an --import checks it before anything is created).
func (r *Runtime) CheckCRIU(ctx context.Context) error {
	if err := oci.CheckCRIU(ctx); err != nil {
		return err
	}
	return errCRIUWiring
}

// Restore brings a checkpointed container back from its saved processes.
func (c *Container) Restore(ctx context.Context, opts RestoreOptions) error {
	if err := c.lockSync(); err != nil {
		return err
	}
	defer c.lock.Unlock()
	if c.state.Status == define.StatusRunning || c.state.Status == define.StatusPaused {
		return fmt.Errorf("cannot restore %q: container is running: %w", c.config.Name, define.ErrCtrStateInvalid)
	}
	return c.runtime.CheckCRIU(ctx)
}
