package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/cgroups"
)

// PodRemoveOptions tunes RemovePod.
type PodRemoveOptions struct {
	// Force stops and removes running members first.
	Force bool
	// Timeout overrides the members' stop timeouts when forcing.
	Timeout *uint
	// Volumes removes the members' anonymous volumes with them.
	Volumes bool
}

// RemovePod removes a pod with its members: the others first (in
// dependency order), then the infra container, then the pod's cgroup and
// record. Running members need Force; without it nothing is removed.
func (r *Runtime) RemovePod(ctx context.Context, p *Pod, opts PodRemoveOptions) error {
	if err := p.lockPod(); err != nil {
		return err
	}
	defer p.lock.Unlock()
	ctrs, err := p.Containers()
	if err != nil {
		return err
	}
	if !opts.Force {
		var busy []string
		for _, c := range ctrs {
			if c.config.IsInfra {
				continue // podman removes a pod whose members all exited
			}
			switch c.state.Status {
			case define.StatusRunning, define.StatusPaused, define.StatusStopping:
				busy = append(busy, c.ID())
			}
		}
		if len(busy) > 0 {
			return fmt.Errorf("pod %s has containers that are not ready to be removed: %s: cannot remove a pod with running containers without force: %w", p.config.ID, strings.Join(busy, ", "), define.ErrCtrStateInvalid)
		}
	}
	infra, members := p.split(ctrs)
	rm := RemoveOptions{Force: opts.Force, Timeout: opts.Timeout, Volumes: opts.Volumes, pod: true}
	if err := r.removeInOrder(ctx, members, rm); err != nil {
		return fmt.Errorf("removing the containers of pod %s: %w", p.config.Name, err)
	}
	if infra != nil {
		// The infra container holds the namespaces; with Force it is
		// stopped like the others, without it it may still run alone.
		rm.Force = true
		if err := r.RemoveContainer(ctx, infra, rm); err != nil && !errors.Is(err, define.ErrNoSuchCtr) && !errors.Is(err, define.ErrCtrRemoved) {
			return fmt.Errorf("removing the infra container of pod %s: %w", p.config.Name, err)
		}
	}
	if err := r.state.RemovePod(p.config.ID); err != nil {
		return err
	}
	var errs []error
	if r.cfg.CgroupManager != "systemd" {
		if err := cgroups.RemoveParent(p.config.CgroupPath); err != nil {
			errs = append(errs, fmt.Errorf("pod %s: removing its cgroup: %w", p.config.Name, err))
		}
	}
	if err := r.locks.Free(p.config.ID); err != nil {
		errs = append(errs, err)
	}
	r.event(p.newEvent("remove"))
	return errors.Join(errs...)
}

// removeInOrder removes containers that may depend on each other: in
// each pass, those nothing left depends on. A container that cannot be
// removed stops the removal (its dependencies would fail anyway).
func (r *Runtime) removeInOrder(ctx context.Context, ctrs []*Container, opts RemoveOptions) error {
	left := slices.Clone(ctrs)
	for len(left) > 0 {
		var next []*Container
		progressed := false
		for _, c := range left {
			deps, err := r.state.ContainerDependents(c.ID())
			if err != nil {
				return err
			}
			if len(deps) > 0 {
				next = append(next, c)
				continue
			}
			if err := r.RemoveContainer(ctx, c, opts); err != nil && !errors.Is(err, define.ErrNoSuchCtr) && !errors.Is(err, define.ErrCtrRemoved) {
				return err
			}
			progressed = true
		}
		if !progressed {
			// Dependents outside the pod: removing would fail; say so.
			return r.RemoveContainer(ctx, next[0], opts)
		}
		left = next
	}
	return nil
}

// stopPodIfDone applies the exit policy "stop": once no member but the
// infra container runs, the infra container is stopped too. Called after
// a member's exit cleanup, with no lock held.
func (r *Runtime) stopPodIfDone(ctx context.Context, podID string) {
	cfg, err := r.state.Pod(podID)
	if err != nil || cfg.ExitPolicy != define.PodExitPolicyStop || cfg.InfraID == "" {
		return
	}
	p, err := r.podByID(podID)
	if err != nil {
		return
	}
	ctrs, err := p.Containers()
	if err != nil {
		return
	}
	infra, members := p.split(ctrs)
	for _, c := range members {
		switch c.state.Status {
		case define.StatusRunning, define.StatusPaused, define.StatusStopping:
			return
		}
	}
	if infra != nil && infra.state.Status == define.StatusRunning {
		if err := infra.Stop(ctx, nil); err != nil && !errors.Is(err, define.ErrCtrStopped) {
			warnf("pod %s: stopping after its last container exited: %v", cfg.Name, err)
		}
	}
}
