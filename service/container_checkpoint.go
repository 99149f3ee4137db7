package service

import (
	"context"
	"fmt"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/errdefs"
)

// argErr is a bad-input error in podman's words, without a suffix.
func argErr(format string, args ...any) error {
	return errdefs.New(errdefs.ErrInvalidArgument, fmt.Sprintf(format, args...))
}

// CheckpointOptions are the options of Checkpoint.
type CheckpointOptions struct {
	Selection
	engine.CheckpointOptions
}

// Validate refuses podman's refused combinations, with its words.
func (o CheckpointOptions) Validate(names []string) error {
	switch {
	case o.WithPrevious && o.PreCheckpoint:
		return argErr("--with-previous can not be used with --pre-checkpoint")
	case o.Export == "" && o.IgnoreRootfs:
		return argErr("--ignore-rootfs can only be used with --export")
	case o.Export == "" && o.IgnoreVolumes:
		return argErr("--ignore-volumes can only be used with --export")
	case o.Export != "" && (o.All || len(names) > 1):
		return argErr("--export can only be used with a single container")
	}
	return o.Selection.Validate(names)
}

// Checkpoint saves the named running containers (with All, every running one).
func Checkpoint(ctx context.Context, rt *engine.Runtime, names []string, opts CheckpointOptions) ([]Report, error) {
	if err := opts.Validate(names); err != nil {
		return nil, err
	}
	return EachSelected(ctx, rt, names, opts.Selection, IsRunning, func(ctx context.Context, c *engine.Container) error {
		return c.Checkpoint(ctx, opts.CheckpointOptions)
	})
}

// RestoreOptions are the options of Restore.
type RestoreOptions struct {
	Selection
	engine.RestoreOptions
}

// Validate refuses podman's refused combinations, with its words.
func (o RestoreOptions) Validate(names []string) error {
	switch {
	case o.Import == "" && o.IgnoreRootfs:
		return argErr("--ignore-rootfs can only be used with --import")
	case o.Import == "" && o.IgnoreVolumes:
		return argErr("--ignore-volumes can only be used with --import")
	case o.Import == "" && o.Name != "":
		return argErr("--name can only be used with --import")
	case o.Import != "" && (o.All || o.Latest || len(names) > 0):
		return argErr("--import can only be used without naming containers, --all or --latest")
	}
	if o.Import != "" {
		return nil
	}
	return o.Selection.Validate(names)
}

// Restore brings the named checkpointed containers back (with All, every
// exited one); with Import it creates a container from an exported
// checkpoint archive.
func Restore(ctx context.Context, rt *engine.Runtime, names []string, opts RestoreOptions) ([]Report, error) {
	if err := opts.Validate(names); err != nil {
		return nil, err
	}
	if opts.Import != "" {
		return []Report{{RawInput: opts.Import, Err: rt.CheckCRIU(ctx)}}, nil
	}
	exited := func(s define.ContainerStatus) bool { return s == define.StatusExited }
	return EachSelected(ctx, rt, names, opts.Selection, exited, func(ctx context.Context, c *engine.Container) error {
		return c.Restore(ctx, opts.RestoreOptions)
	})
}
