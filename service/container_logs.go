package service

import (
	"context"
	"io"
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
		if prefix := LogPrefix(i, c.ID(), c.Name(), opts.Names, opts.Color); prefix != "" {
			lo.Stdout = &prefixWriter{mu: &mu, w: lo.Stdout, prefix: prefix}
			lo.Stderr = &prefixWriter{mu: &mu, w: lo.Stderr, prefix: prefix}
		}
		if err := c.Logs(ctx, lo); err != nil {
			return err
		}
	}
	return nil
}

// LogPrefix is what logs --names/--color put before each line of the
// i-th container: the name (or short ID), coloured per container with
// color, as pod logs do; "" without either flag.
func LogPrefix(i int, id, name string, names, color bool) string {
	if !names && !color {
		return ""
	}
	prefix := id[:min(12, len(id))] + " "
	if names {
		prefix = name + " "
	}
	if color {
		prefix = logColors[i%len(logColors)] + prefix + "\033[0m"
	}
	return prefix
}

// PrefixWriter returns w with prefix written before each write (one log
// line per write, as the log readers write); mu keeps lines whole.
func PrefixWriter(mu *sync.Mutex, w io.Writer, prefix string) io.Writer {
	return &prefixWriter{mu: mu, w: w, prefix: prefix}
}
