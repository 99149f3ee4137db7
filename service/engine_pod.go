package service

import (
	"context"
	"fmt"
	"syscall"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/spec"
)

// PodVerbOptions select the pods of a pod verb and carry its flags.
type PodVerbOptions struct {
	All, Latest bool
	// Timeout is stop's and restart's (nil: each container's own).
	Timeout *uint
	// Signal is kill's.
	Signal syscall.Signal
}

// PodCreate creates a pod.
func (e *LocalEngine) PodCreate(ctx context.Context, ps *spec.PodSpec, opts PodCreateOptions) (string, error) {
	p, err := PodCreate(ctx, e.rt, ps, opts)
	if err != nil {
		return "", err
	}
	return p.ID(), nil
}

// ListPods lists pods.
func (e *LocalEngine) ListPods(_ context.Context, filters []string) ([]ListPod, error) {
	return ListPods(e.rt, filters)
}

// PodVerb runs a pod verb on each pod.
func (e *LocalEngine) PodVerb(ctx context.Context, verb string, names []string, opts PodVerbOptions) ([]PodReport, error) {
	var fn func(context.Context, *engine.Pod) (engine.PodErrors, error)
	switch verb {
	case PodVerbStart:
		fn = func(ctx context.Context, p *engine.Pod) (engine.PodErrors, error) { return p.Start(ctx) }
	case PodVerbStop:
		fn = func(ctx context.Context, p *engine.Pod) (engine.PodErrors, error) { return p.Stop(ctx, opts.Timeout) }
	case PodVerbRestart:
		fn = func(ctx context.Context, p *engine.Pod) (engine.PodErrors, error) {
			return p.Restart(ctx, opts.Timeout)
		}
	case PodVerbKill:
		fn = func(ctx context.Context, p *engine.Pod) (engine.PodErrors, error) { return p.Kill(ctx, opts.Signal) }
	case PodVerbPause:
		fn = func(ctx context.Context, p *engine.Pod) (engine.PodErrors, error) { return p.Pause(ctx) }
	case PodVerbUnpause:
		fn = func(ctx context.Context, p *engine.Pod) (engine.PodErrors, error) { return p.Unpause(ctx) }
	default:
		return nil, fmt.Errorf("unknown pod verb %q: %w", verb, define.ErrInvalidArg)
	}
	return EachPod(ctx, e.rt, names, opts.All, opts.Latest, fn)
}

// PodRemove removes pods.
func (e *LocalEngine) PodRemove(ctx context.Context, names []string, all, ignore bool, opts PodRemoveOptions) ([]PodReport, error) {
	return PodRemove(ctx, e.rt, names, all, ignore, opts)
}
