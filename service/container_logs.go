package service

import (
	"context"
	"sync"

	"github.com/berth-dev/berth/engine"
)

// LogsOptions are the options of Logs.
type LogsOptions struct {
	LogOptions
	// Latest reads the most recently created container instead of names.
	Latest bool
	// Names prefixes each line with its container's name (podman --names).
	Names bool
	// Color gives each container's prefix its own colour (podman --color).
	Color bool
}

// Logs writes the logs of the named containers, one after the other, to
// opts' writers. A name that matches nothing fails before anything is
// written. With Follow and Until, following stops at Until.
func Logs(ctx context.Context, rt *engine.Runtime, names []string, opts LogsOptions) error {
	ctrs, bad, err := Resolve(rt, names, false, opts.Latest)
	if err != nil {
		return err
	}
	if len(bad) > 0 {
		return bad[0].Err
	}
	if !opts.Until.IsZero() && opts.Follow {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, opts.Until)
		defer cancel()
	}
	var mu sync.Mutex
	for i, c := range ctrs {
		lo := opts.LogOptions
		if opts.Names || opts.Color {
			// The same prefixes as pod logs: the name (or short ID),
			// coloured per container with --color.
			prefix := c.ID()[:12] + " "
			if opts.Names {
				prefix = c.Name() + " "
			}
			if opts.Color {
				prefix = logColors[i%len(logColors)] + prefix + "\033[0m"
			}
			lo.Stdout = &prefixWriter{mu: &mu, w: lo.Stdout, prefix: prefix}
			lo.Stderr = &prefixWriter{mu: &mu, w: lo.Stderr, prefix: prefix}
		}
		if err := c.Logs(ctx, lo); err != nil {
			return err
		}
	}
	return nil
}
