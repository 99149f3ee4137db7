package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
)

// PodCloneOptions are the choices of `pod clone`.
type PodCloneOptions struct {
	// Name names the copy (default: podman's NAME-clone).
	Name string
	// Destroy removes the original once the copy exists.
	Destroy bool
	// Start starts the copy.
	Start bool
}

// PodClone copies a pod with its infra container and members (see
// engine.ClonePod). The copy stays when destroying the original or
// starting the copy fails; the error says so.
func PodClone(ctx context.Context, rt *engine.Runtime, nameOrID string, opts PodCloneOptions) (*engine.Pod, error) {
	src, err := rt.LookupPod(nameOrID)
	if err != nil {
		return nil, err
	}
	name := opts.Name
	if name == "" {
		if name, err = engine.CloneName(src.Name(), func(n string) (bool, error) {
			_, err := rt.LookupPod(n)
			if errors.Is(err, define.ErrNoSuchPod) {
				return false, nil
			}
			return err == nil || errors.Is(err, define.ErrAmbiguous), err
		}); err != nil {
			return nil, err
		}
	}
	pod, err := rt.ClonePod(ctx, src, engine.WithPodName(name))
	if err != nil {
		return nil, err
	}
	if opts.Destroy {
		if err := rt.RemovePod(ctx, src, engine.PodRemoveOptions{Force: true}); err != nil {
			return pod, fmt.Errorf("pod %s cloned as %s, but removing it: %w", src.Name(), pod.ID(), err)
		}
	}
	if opts.Start {
		errs, err := pod.Start(ctx)
		if err == nil {
			err = errs.Err()
		}
		if err != nil {
			return pod, fmt.Errorf("starting the clone %s: %w", pod.ID(), err)
		}
	}
	return pod, nil
}
