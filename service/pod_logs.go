package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
)

// PodLogsOptions are the choices of `pod logs`.
type PodLogsOptions struct {
	// Container picks one member by exact name or ID (-c).
	Container string
	// Names prefixes lines with the container's name, not its short ID.
	Names bool
	// Color colours each container's prefix.
	Color bool
	// Log selects the lines and the writers.
	Log engine.LogOptions
}

// logColors cycle over the members with --color.
var logColors = []string{"\033[36m", "\033[33m", "\033[32m", "\033[35m", "\033[34m", "\033[31m"}

// PodLogs writes the logs of a pod's members. As in podman, the lines of
// a pod with more than one container (its infra container counts) are
// prefixed with the container's short ID (or name); the infra container
// itself has nothing to show and is not read. With Follow, the members
// are followed at once and their lines interleave as they come.
func PodLogs(ctx context.Context, rt *engine.Runtime, nameOrID string, latest bool, opts PodLogsOptions) error {
	p, err := lookupPod(rt, nameOrID, latest)
	if err != nil {
		return err
	}
	ctrs, err := p.Containers()
	if err != nil {
		return err
	}
	if opts.Container != "" {
		var picked []*engine.Container
		for _, c := range ctrs {
			if c.ID() == opts.Container || c.Name() == opts.Container {
				picked = append(picked, c)
			}
		}
		if len(picked) == 0 {
			return fmt.Errorf("container %s is not in pod %s: %w", opts.Container, nameOrID, define.ErrNoSuchCtr)
		}
		ctrs = picked
	}
	multi := len(ctrs) > 1
	var mu sync.Mutex
	var read []func() error
	for i, c := range ctrs {
		if c.Config().IsInfra && opts.Container == "" {
			continue
		}
		lo := opts.Log
		if multi {
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
		read = append(read, func() error { return c.Logs(ctx, lo) })
	}
	if !opts.Log.Follow {
		for _, fn := range read {
			if err := fn(); err != nil {
				return err
			}
		}
		return nil
	}
	errs := make([]error, len(read))
	var wg sync.WaitGroup
	for i, fn := range read {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn()
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// prefixWriter puts prefix before each write: the log reader writes one
// whole line at a time. mu keeps lines of concurrent readers whole.
type prefixWriter struct {
	mu     *sync.Mutex
	w      io.Writer
	prefix string
}

func (pw *prefixWriter) Write(b []byte) (int, error) {
	if pw.w == nil {
		return len(b), nil
	}
	pw.mu.Lock()
	defer pw.mu.Unlock()
	if _, err := io.WriteString(pw.w, pw.prefix); err != nil {
		return 0, err
	}
	return pw.w.Write(b)
}
