package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
)

// ContainerCloneOptions are the choices of `container clone`.
type ContainerCloneOptions struct {
	// Name names the copy (default: podman's NAME-clone).
	Name string
	// Pod puts the copy into that pod instead of the original's.
	Pod string
	// Destroy removes the original once the copy exists; a running one
	// only with Force.
	Destroy, Force bool
	// Run starts the copy.
	Run bool
}

// ContainerClone copies a container (see engine.CloneContainer). A
// running original that --destroy cannot remove without --force is
// refused before anything is made; the copy stays when removing the
// original or starting the copy fails, and the error says so.
func ContainerClone(ctx context.Context, rt *engine.Runtime, nameOrID string, o ContainerCloneOptions) (*engine.Container, error) {
	if o.Force && !o.Destroy {
		return nil, fmt.Errorf("cannot set --force without --destroy: %w", define.ErrInvalidArg)
	}
	src, err := rt.LookupContainer(nameOrID)
	if err != nil {
		return nil, err
	}
	if o.Destroy && !o.Force {
		st, err := src.State()
		if err != nil {
			return nil, err
		}
		if st.Status == define.StatusRunning || st.Status == define.StatusPaused {
			return nil, fmt.Errorf("cannot remove container %s as it is %s - running or paused containers cannot be removed without force: %w", src.ID(), st.Status, define.ErrCtrStateInvalid)
		}
	}
	name := o.Name
	if name == "" {
		if name, err = engine.CloneName(src.Name(), func(n string) (bool, error) {
			_, err := rt.LookupContainer(n)
			if errors.Is(err, define.ErrNoSuchCtr) {
				return false, nil
			}
			return err == nil || errors.Is(err, define.ErrAmbiguous), err
		}); err != nil {
			return nil, err
		}
	}
	c, err := rt.CloneContainer(ctx, src, name, o.Pod)
	if err != nil {
		return nil, err
	}
	if o.Destroy {
		if err := rt.RemoveContainer(ctx, src, engine.RemoveOptions{Force: o.Force}); err != nil {
			return c, fmt.Errorf("container %s cloned as %s, but removing it: %w", src.Name(), c.ID(), err)
		}
	}
	if o.Run {
		if err := c.Start(ctx); err != nil {
			return c, fmt.Errorf("starting the clone %s: %w", c.ID(), err)
		}
	}
	return c, nil
}
