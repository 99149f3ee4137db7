package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
)

// Report is the outcome of a verb on one container.
type Report struct {
	// RawInput is what the user typed (printed on success, like podman).
	RawInput string
	ID       string
	Err      error
	// ExitCode is set by verbs that report one (wait).
	ExitCode int32
	// Mountpoint is set by Mount.
	Mountpoint string
}

// Resolve turns names/IDs into containers; with all it returns every
// container. Unknown names become reports with an error.
func Resolve(rt *engine.Runtime, names []string, all, latest bool) ([]*engine.Container, []Report, error) {
	if all || latest {
		if len(names) > 0 {
			return nil, nil, fmt.Errorf("--all and --latest cannot be used with container names: %w", define.ErrInvalidArg)
		}
		ctrs, err := rt.Containers()
		if err != nil {
			return nil, nil, err
		}
		if latest {
			var newest *engine.Container
			for _, c := range ctrs {
				if newest == nil || c.Created().After(newest.Created()) {
					newest = c
				}
			}
			if newest == nil {
				return nil, nil, fmt.Errorf("no containers to act on with --latest: %w", define.ErrNoSuchCtr)
			}
			return []*engine.Container{newest}, nil, nil
		}
		return ctrs, nil, nil
	}
	if len(names) == 0 {
		return nil, nil, fmt.Errorf("you must provide at least one name or id: %w", define.ErrInvalidArg)
	}
	var ctrs []*engine.Container
	var bad []Report
	for _, n := range names {
		c, err := rt.LookupContainer(n)
		if err != nil {
			bad = append(bad, Report{RawInput: n, Err: err})
			continue
		}
		ctrs = append(ctrs, c)
	}
	return ctrs, bad, nil
}

// Each resolves the containers and applies fn to each, collecting a
// report per container (in the order given).
func Each(ctx context.Context, rt *engine.Runtime, names []string, all bool, fn func(context.Context, *engine.Container) error) ([]Report, error) {
	return EachSelected(ctx, rt, names, Selection{All: all}, nil, fn)
}

// EachWhere is Each where --all selects only the containers for which keep
// is true (kill -a: the running ones; unpause -a: the paused ones).
func EachWhere(ctx context.Context, rt *engine.Runtime, names []string, all bool, keep func(define.ContainerStatus) bool, fn func(context.Context, *engine.Container) error) ([]Report, error) {
	return EachSelected(ctx, rt, names, Selection{All: all}, keep, fn)
}

// EachSelected is EachWhere over a whole Selection (--latest, --filter,
// --cidfile, --ignore besides --all).
func EachSelected(ctx context.Context, rt *engine.Runtime, names []string, sel Selection, keep func(define.ContainerStatus) bool, fn func(context.Context, *engine.Container) error) ([]Report, error) {
	ctrs, bad, names, err := selectContainers(rt, names, sel, keep)
	if err != nil {
		return nil, err
	}
	reports := bad
	for _, c := range ctrs {
		raw := c.ID()
		for _, n := range names {
			if matches(c, n) {
				raw = n
				break
			}
		}
		reports = append(reports, Report{RawInput: raw, ID: c.ID(), Err: fn(ctx, c)})
	}
	return reports, nil
}

func matches(c *engine.Container, n string) bool {
	return n == c.Name() || n == c.ID() || (len(n) < len(c.ID()) && c.ID()[:len(n)] == n)
}

func isGone(err error) bool {
	return errors.Is(err, define.ErrCtrRemoved) || errors.Is(err, define.ErrNoSuchCtr)
}

// IsRunning selects running containers (kill -a, stop -a, pause -a).
func IsRunning(s define.ContainerStatus) bool {
	return s == define.StatusRunning || s == define.StatusPaused || s == define.StatusStopping
}

// IsPaused selects paused containers (unpause -a).
func IsPaused(s define.ContainerStatus) bool { return s == define.StatusPaused }
