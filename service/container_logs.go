package service

import (
	"context"

	"github.com/berth-dev/berth/engine"
)

// LogsOptions are the options of Logs.
type LogsOptions struct {
	LogOptions
	// Latest reads the most recently created container instead of names.
	Latest bool
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
	for _, c := range ctrs {
		if err := c.Logs(ctx, opts.LogOptions); err != nil {
			return err
		}
	}
	return nil
}
