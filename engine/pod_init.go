package engine

import (
	"context"
	"fmt"

	"github.com/berth-dev/berth/engine/define"
)

// WithInitContainer makes the container an init container of its pod
// (podman's --init-ctr once|always): pod start runs it to completion
// before the other members. It needs a pod that is not running.
func WithInitContainer(kind string) CtrOption {
	return func(c *define.ContainerConfig) error {
		switch kind {
		case "":
		case define.InitContainerOnce, define.InitContainerAlways:
		default:
			return fmt.Errorf("init-ctr value must be '%s' or '%s': %w", define.InitContainerAlways, define.InitContainerOnce, define.ErrInvalidArg)
		}
		c.InitContainerType = kind
		return nil
	}
}

// checkInitContainer refuses an init container outside a pod, or one
// joining a pod with a running member (it would never run before them),
// in podman's words.
func (r *Runtime) checkInitContainer(cfg *define.ContainerConfig, pod *Pod) error {
	if cfg.InitContainerType == "" {
		return nil
	}
	if pod == nil {
		return fmt.Errorf("must specify pod value with init-ctr: %w", define.ErrInvalidArg)
	}
	ctrs, err := pod.Containers()
	if err != nil {
		return err
	}
	for _, c := range ctrs {
		if c.state.Status == define.StatusRunning {
			return fmt.Errorf("cannot add init-ctr to a running pod: %w", define.ErrCtrStateInvalid)
		}
	}
	return nil
}

// splitInit separates a pod's init containers (in creation order) from
// its other members.
func splitInit(members []*Container) (inits, rest []*Container) {
	for _, c := range members {
		if c.config.InitContainerType != "" {
			inits = append(inits, c)
		} else {
			rest = append(rest, c)
		}
	}
	return inits, rest
}

// IsInitContainer reports whether c is an init container of its pod.
func (c *Container) IsInitContainer() bool { return c.config.InitContainerType != "" }

// InitContainerType is "once", "always" or "" (not an init container).
func (c *Container) InitContainerType() string { return c.config.InitContainerType }

// runInitContainers runs each init container to completion, one after
// another, as podman's pod start does; a once container is removed after
// a successful run. The first failure stops the pod start: the other
// members do not start.
//
// Preconditions: the pod's lock is held (init containers take no pod
// lock: start, wait and remove lock only the container).
func (p *Pod) runInitContainers(ctx context.Context, inits []*Container) error {
	for _, c := range inits {
		if err := c.Start(ctx); err != nil {
			return fmt.Errorf("starting init container %s: %w", c.ID(), err)
		}
		code, err := c.Wait(ctx)
		if err != nil {
			return fmt.Errorf("waiting for init container %s: %w", c.ID(), err)
		}
		if code != 0 {
			return fmt.Errorf("init container %s exited with code %d", c.ID(), code)
		}
		if c.config.InitContainerType == define.InitContainerOnce {
			if err := p.runtime.RemoveContainer(ctx, c, RemoveOptions{Force: true, Volumes: true}); err != nil {
				return fmt.Errorf("failed to remove once init container %s: %w", c.ID(), err)
			}
		}
	}
	return nil
}
