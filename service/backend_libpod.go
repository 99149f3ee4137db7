package service

import (
	"context"
	"fmt"
	"syscall"
	"time"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/signals"
	"github.com/berth-dev/berth/spec"
)

// Pod verbs the API names (podman's routes), each the CLI's pod verb.
const (
	PodVerbStart   = "start"
	PodVerbStop    = "stop"
	PodVerbRestart = "restart"
	PodVerbKill    = "kill"
	PodVerbPause   = "pause"
	PodVerbUnpause = "unpause"
)

// PodCreate is `pod create`; it returns the new pod's ID.
func (b *Backend) PodCreate(ctx context.Context, ps *spec.PodSpec) (string, error) {
	if ps.CreateCommand == nil {
		ps.CreateCommand = []string{}
	}
	p, err := PodCreate(ctx, b.rt, ps, PodCreateOptions{})
	if err != nil {
		return "", err
	}
	return p.ID(), nil
}

// PodList is `pod ps`.
func (b *Backend) PodList(filters []string) ([]ListPod, error) { return ListPods(b.rt, filters) }

// PodInspect is `pod inspect` of one pod.
func (b *Backend) PodInspect(name string) (*define.InspectPod, error) {
	p, err := b.rt.LookupPod(name)
	if err != nil {
		return nil, err
	}
	return p.Inspect()
}

// PodExists is `pod exists`.
func (b *Backend) PodExists(name string) (bool, error) { return b.rt.PodExists(name) }

// PodVerb runs one of the simple pod verbs on a pod, as `pod VERB` does:
// timeout is for stop and restart (nil keeps each container's own), sig
// for kill ("" is SIGKILL).
func (b *Backend) PodVerb(ctx context.Context, name, verb string, timeout *uint, sig string) (PodReport, error) {
	var fn func(context.Context, *engine.Pod) (engine.PodErrors, error)
	switch verb {
	case PodVerbStart:
		fn = func(ctx context.Context, p *engine.Pod) (engine.PodErrors, error) { return p.Start(ctx) }
	case PodVerbStop:
		fn = func(ctx context.Context, p *engine.Pod) (engine.PodErrors, error) { return p.Stop(ctx, timeout) }
	case PodVerbRestart:
		fn = func(ctx context.Context, p *engine.Pod) (engine.PodErrors, error) { return p.Restart(ctx, timeout) }
	case PodVerbKill:
		s := syscall.SIGKILL
		if sig != "" {
			var err error
			if s, err = signals.Parse(sig); err != nil {
				return PodReport{}, fmt.Errorf("%w: %w", err, define.ErrInvalidArg)
			}
		}
		fn = func(ctx context.Context, p *engine.Pod) (engine.PodErrors, error) { return p.Kill(ctx, s) }
	case PodVerbPause:
		fn = func(ctx context.Context, p *engine.Pod) (engine.PodErrors, error) { return p.Pause(ctx) }
	case PodVerbUnpause:
		fn = func(ctx context.Context, p *engine.Pod) (engine.PodErrors, error) { return p.Unpause(ctx) }
	default:
		return PodReport{}, fmt.Errorf("unknown pod verb %q: %w", verb, define.ErrInvalidArg)
	}
	reports, err := EachPod(ctx, b.rt, []string{name}, false, false, fn)
	if err != nil {
		return PodReport{}, err
	}
	return reports[0], nil
}

// PodRemove is `pod rm` of one pod.
func (b *Backend) PodRemove(ctx context.Context, name string, opts PodRemoveOptions) (PodReport, error) {
	reports, err := PodRemove(ctx, b.rt, []string{name}, false, false, opts)
	if err != nil {
		return PodReport{}, err
	}
	return reports[0], nil
}

// PodPrune is `pod prune`.
func (b *Backend) PodPrune(ctx context.Context) ([]PodReport, error) { return PodPrune(ctx, b.rt) }

// PodTop is `pod top`.
func (b *Backend) PodTop(ctx context.Context, name string, descriptors []string) ([][]string, error) {
	return PodTop(ctx, b.rt, name, false, descriptors)
}

// ContainerExists is `container exists`.
func (b *Backend) ContainerExists(name string) (bool, error) { return b.rt.ContainerExists(name) }

// ContainerRemoveReports is `rm` of one container with podman's choices
// (depend removes its dependents first): a report per container removed.
func (b *Backend) ContainerRemoveReports(ctx context.Context, name string, opts RemoveOptions) ([]Report, error) {
	return Remove(ctx, b.rt, []string{name}, opts)
}

// ContainerPruneReports is `container prune`, a report per container.
func (b *Backend) ContainerPruneReports(ctx context.Context) ([]Report, error) {
	return Prune(ctx, b.rt)
}

// ContainerWaitStatus is podman's wait: until the container reaches one
// of the statuses (none: until it exits); it returns the exit code.
func (b *Backend) ContainerWaitStatus(ctx context.Context, name string, conditions []define.ContainerStatus, health []string, interval time.Duration) (int32, error) {
	reports, err := Wait(ctx, b.rt, []string{name}, WaitOptions{Conditions: conditions, Health: health, Interval: interval})
	if err != nil {
		return -1, err
	}
	if reports[0].Err != nil {
		return -1, reports[0].Err
	}
	return reports[0].ExitCode, nil
}

// NetworkRemoveForced is podman's `network rm -f`: the network's
// containers go first.
func (b *Backend) NetworkRemoveForced(ctx context.Context, name string, timeout *uint) error {
	_, err := b.rt.RemoveNetwork(ctx, name, engine.RemoveNetworkOptions{Force: true, Timeout: timeout})
	return err
}

// VolumeRemoveForced is podman's `volume rm -f`: the volume's containers
// go first.
func (b *Backend) VolumeRemoveForced(ctx context.Context, name string, timeout *uint) error {
	v, err := b.rt.LookupVolume(name)
	if err != nil {
		return err
	}
	return b.rt.RemoveVolume(ctx, v, engine.RemoveVolumeOptions{Force: true, Timeout: timeout})
}

// ContainerInit is `init` of one container.
func (b *Backend) ContainerInit(ctx context.Context, name string) error {
	return b.with(name, func(c *engine.Container) error { return c.Init(ctx) })
}
