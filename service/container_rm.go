package service

import (
	"context"
	"errors"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
)

// RemoveOptions are the choices of `rm`.
type RemoveOptions struct {
	// Selection picks the containers (All: every one; Ignore: missing
	// ones are not reported).
	Selection
	// Force stops running containers first and, like Ignore, does not
	// report missing ones.
	Force bool
	// Depend removes the containers that depend on each one (they join
	// its namespaces) first, recursively, as podman's --depend.
	Depend bool
	// Timeout overrides each container's stop timeout when forcing.
	Timeout *uint
	// Volumes removes each container's anonymous volumes with it.
	Volumes bool
}

// Remove removes containers like `rm` and reports on each, in the order
// removed. Containers named together are removed dependents first, so
// `rm -a`, or `rm X Y` where Y joins X's namespaces, never trips over its
// own order. Without Depend, a container with a dependent left over is
// refused (podman's "has dependent containers" error), Force or not; with
// it, the dependents are removed first and reported by ID.
func Remove(ctx context.Context, rt *engine.Runtime, names []string, opts RemoveOptions) ([]Report, error) {
	ctrs, reports, names, err := selectContainers(rt, names, opts.Selection, nil)
	if err != nil {
		return nil, err
	}
	if opts.All {
		// Infra containers go with their pods (pod rm), not with rm -a.
		kept := ctrs[:0]
		for _, c := range ctrs {
			if !c.Config().IsInfra {
				kept = append(kept, c)
			}
		}
		ctrs = kept
	}
	if opts.Ignore || opts.Force {
		// -f, like podman and docker, does not mind missing ones.
		kept := reports[:0]
		for _, r := range reports {
			if !errors.Is(r.Err, define.ErrNoSuchCtr) {
				kept = append(kept, r)
			}
		}
		reports = kept
	}
	rm := remover{ctx: ctx, rt: rt, opts: opts, named: map[string]string{}, done: map[string]bool{}}
	for _, c := range ctrs {
		rm.named[c.ID()] = rawInput(c, names)
	}
	for _, c := range ctrs {
		rm.visit(c)
	}
	return append(reports, rm.reports...), nil
}

// remover walks the dependency graph, dependents before what they depend
// on, removing each container once.
type remover struct {
	ctx     context.Context
	rt      *engine.Runtime
	opts    RemoveOptions
	named   map[string]string // ID -> what the user typed, for the containers asked for
	done    map[string]bool
	reports []Report
}

func (rm *remover) visit(c *engine.Container) {
	if rm.done[c.ID()] {
		return
	}
	rm.done[c.ID()] = true
	raw, named := rm.named[c.ID()]
	if !named {
		raw = c.ID() // a dependent removed by --depend
	}
	deps, err := c.Dependents()
	if err != nil {
		rm.reports = append(rm.reports, Report{RawInput: raw, ID: c.ID(), Err: err})
		return
	}
	for _, id := range deps {
		if _, ok := rm.named[id]; !ok && !rm.opts.Depend {
			continue // left for the removal of c to refuse
		}
		d, err := rm.rt.LookupContainer(id)
		if isGone(err) {
			continue
		}
		if err != nil {
			rm.reports = append(rm.reports, Report{RawInput: id, ID: id, Err: err})
			continue
		}
		rm.visit(d)
	}
	err = rm.rt.RemoveContainer(rm.ctx, c, engine.RemoveOptions{Force: rm.opts.Force, Timeout: rm.opts.Timeout, Volumes: rm.opts.Volumes})
	if errors.Is(err, define.ErrCtrRemoved) {
		err = nil // removed meanwhile (e.g. by its --rm cleanup)
	}
	rm.reports = append(rm.reports, Report{RawInput: raw, ID: c.ID(), Err: err})
}

// rawInput is what the user typed for c, or its ID (rm -a).
func rawInput(c *engine.Container, names []string) string {
	for _, n := range names {
		if matches(c, n) {
			return n
		}
	}
	return c.ID()
}

// Prune removes every container that is not running (exited or only
// created) and reports on each; nothing to remove is no reports.
func Prune(ctx context.Context, rt *engine.Runtime) ([]Report, error) {
	rows, err := List(rt, ListOptions{All: true})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, r := range rows {
		// An infra container goes with its pod (pod prune, pod rm).
		if (r.Exited || r.State == "created") && !r.IsInfra {
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return Each(ctx, rt, ids, false, func(ctx context.Context, c *engine.Container) error {
		return rt.RemoveContainer(ctx, c, engine.RemoveOptions{})
	})
}

// AutoRemove removes c after an attached start or run of a --rm
// container has seen it exit; there is nobody to tell if it fails.
func AutoRemove(ctx context.Context, rt *engine.Runtime, c *engine.Container) {
	_ = rt.RemoveContainer(ctx, c, engine.RemoveOptions{Force: true})
}
