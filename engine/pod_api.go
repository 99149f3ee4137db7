package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/cgroups"
)

// PodErrors maps the ID of each member a pod verb failed on to its error.
// A verb returns it beside a nil error when it reached every member.
type PodErrors map[string]error

// Err joins the member errors, or nil when there are none.
func (e PodErrors) Err() error {
	errs := make([]error, 0, len(e))
	for _, err := range e {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// lockPod takes the pod lock and re-reads the pod's config (the infra ID
// is set under it); ErrNoSuchPod once the pod is gone.
func (p *Pod) lockPod() error {
	if err := p.lock.Lock(); err != nil {
		return err
	}
	cfg, err := p.runtime.state.Pod(p.config.ID)
	if err != nil {
		p.lock.Unlock()
		return err
	}
	p.config = cfg
	return nil
}

// split returns the infra container (or nil) and the other members.
func (p *Pod) split(ctrs []*Container) (infra *Container, members []*Container) {
	for _, c := range ctrs {
		if c.config.IsInfra {
			infra = c
		} else {
			members = append(members, c)
		}
	}
	return infra, members
}

// Start starts the infra container, runs the init containers (see
// runInitContainers), then starts every other member; a member's own
// dependencies (--requires) start before it, as Container.Start does.
// The pod's cgroup, with its limits, is made first.
func (p *Pod) Start(ctx context.Context) (PodErrors, error) {
	if err := p.lockPod(); err != nil {
		return nil, err
	}
	defer p.lock.Unlock()
	return p.startLocked(ctx)
}

// Preconditions: p.lock is held.
func (p *Pod) startLocked(ctx context.Context) (PodErrors, error) {
	ctrs, err := p.Containers()
	if err != nil {
		return nil, err
	}
	errs := PodErrors{}
	infra, members := p.split(ctrs)
	inits, members := splitInit(members)
	if infra != nil {
		if err := infra.Start(ctx); err != nil {
			errs[infra.ID()] = fmt.Errorf("starting container %s: %w", infra.ID(), err)
			return errs, nil
		}
	}
	// Init containers run when the pod comes up, not when a start only
	// brings back some member of a running pod.
	running := false
	for _, c := range members {
		running = running || c.state.Status == define.StatusRunning
	}
	if !running {
		if err := p.runInitContainers(ctx, inits); err != nil {
			return nil, err
		}
	}
	for _, c := range members {
		if err := c.Start(ctx); err != nil {
			errs[c.ID()] = fmt.Errorf("starting container %s: %w", c.ID(), err)
		}
	}
	p.runtime.event(p.newEvent("start"))
	return errs, nil
}

// createPodCgroup makes the cgroup of pod podID with its limits, when it
// has any (without limits the OCI runtime makes the parent as it makes
// the member's own).
func (r *Runtime) createPodCgroup(podID string) error {
	cfg, err := r.state.Pod(podID)
	if err != nil {
		return err
	}
	if cfg.Memory == 0 && cfg.CPUQuota == 0 {
		return nil
	}
	return cgroups.CreateParent(cfg.CgroupPath, cgroups.Limits{Memory: cfg.Memory, CPUQuota: cfg.CPUQuota, CPUPeriod: cfg.CPUPeriod})
}

// Stop stops the members, all at once, then the infra container, which
// holds the namespaces they live in. timeout overrides each member's own.
func (p *Pod) Stop(ctx context.Context, timeout *uint) (PodErrors, error) {
	if err := p.lockPod(); err != nil {
		return nil, err
	}
	defer p.lock.Unlock()
	return p.stopLocked(ctx, timeout)
}

// Preconditions: p.lock is held.
func (p *Pod) stopLocked(ctx context.Context, timeout *uint) (PodErrors, error) {
	ctrs, err := p.Containers()
	if err != nil {
		return nil, err
	}
	infra, members := p.split(ctrs)
	stop := func(c *Container) error {
		err := c.Stop(ctx, timeout)
		if err == nil || errors.Is(err, define.ErrCtrStopped) {
			return nil
		}
		return fmt.Errorf("stopping container %s: %w", c.ID(), err)
	}
	errs := p.each(members, stop)
	if infra != nil {
		if err := stop(infra); err != nil {
			errs[infra.ID()] = err
		}
	}
	p.runtime.event(p.newEvent("stop"))
	return errs, nil
}

// each runs fn on every container concurrently (each goroutine holds one
// container's lock at most, as the lock order wants) and collects errors.
func (p *Pod) each(ctrs []*Container, fn func(*Container) error) PodErrors {
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := PodErrors{}
	for _, c := range ctrs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(c); err != nil {
				mu.Lock()
				errs[c.ID()] = err
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errs
}

// Restart stops the pod and starts it again.
func (p *Pod) Restart(ctx context.Context, timeout *uint) (PodErrors, error) {
	if err := p.lockPod(); err != nil {
		return nil, err
	}
	defer p.lock.Unlock()
	errs, err := p.stopLocked(ctx, timeout)
	if err != nil || len(errs) > 0 {
		return errs, err
	}
	if errs, err = p.startLocked(ctx); err == nil {
		p.runtime.event(p.newEvent("restart"))
	}
	return errs, err
}

// Kill sends sig to every running member, the infra container included.
func (p *Pod) Kill(ctx context.Context, sig syscall.Signal) (PodErrors, error) {
	return p.onRunning(ctx, "kill", func(c *Container) error { return c.Kill(ctx, sig) })
}

// Pause freezes every running member.
func (p *Pod) Pause(ctx context.Context) (PodErrors, error) {
	return p.onRunning(ctx, "pause", func(c *Container) error { return c.Pause(ctx) })
}

// Unpause thaws every paused member.
func (p *Pod) Unpause(ctx context.Context) (PodErrors, error) {
	if err := p.lockPod(); err != nil {
		return nil, err
	}
	defer p.lock.Unlock()
	ctrs, err := p.Containers()
	if err != nil {
		return nil, err
	}
	var paused []*Container
	for _, c := range ctrs {
		if c.state.Status == define.StatusPaused {
			paused = append(paused, c)
		}
	}
	errs := p.each(paused, func(c *Container) error { return c.Unpause(ctx) })
	p.runtime.event(p.newEvent("unpause"))
	return errs, nil
}

// onRunning applies fn to every running member; a pod with none running
// is an error, in podman's words.
func (p *Pod) onRunning(_ context.Context, verb string, fn func(*Container) error) (PodErrors, error) {
	if err := p.lockPod(); err != nil {
		return nil, err
	}
	defer p.lock.Unlock()
	ctrs, err := p.Containers()
	if err != nil {
		return nil, err
	}
	var running []*Container
	for _, c := range ctrs {
		if c.state.Status == define.StatusRunning {
			running = append(running, c)
		}
	}
	if len(running) == 0 {
		return nil, fmt.Errorf("pod %s has no running containers: %w", p.config.ID, define.ErrCtrStateInvalid)
	}
	errs := p.each(running, fn)
	p.runtime.event(p.newEvent(verb))
	return errs, nil
}
