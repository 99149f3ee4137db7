package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"syscall"
	"time"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/signals"
	"github.com/berth-dev/berth/spec"
)

// Backend holds one runtime for a long-lived caller (the REST API). Its
// methods speak names and plain data, so API routers declare the small
// interfaces they need against it without importing the engine; each is a
// thin wrapper over the same calls the CLI makes.
type Backend struct {
	rt      *engine.Runtime
	version string
}

// NewBackend wraps rt; version is berth's, for /version and /info.
func NewBackend(rt *engine.Runtime, version string) *Backend {
	return &Backend{rt: rt, version: version}
}

// Version is berth's version.
func (b *Backend) Version() string { return b.version }

// Info is `berth info`.
func (b *Backend) Info(ctx context.Context) (*InfoReport, error) {
	return Info(ctx, b.rt, b.version)
}

// ContainerList is `ps`.
func (b *Backend) ContainerList(opts ListOptions) ([]*ListContainer, error) {
	return List(b.rt, opts)
}

// ContainerInspect is `inspect` of one container.
func (b *Backend) ContainerInspect(ctx context.Context, name string, size bool) (*define.InspectContainerData, error) {
	c, err := b.rt.LookupContainer(name)
	if err != nil {
		return nil, err
	}
	return c.Inspect(ctx, size)
}

// ContainerCreate is `create`; it returns the new container's ID.
func (b *Backend) ContainerCreate(ctx context.Context, s *spec.ContainerSpec, opts CreateOptions) (string, error) {
	if s.CreateCommand == nil {
		s.CreateCommand = []string{}
	}
	c, err := Create(ctx, b.rt, s, opts)
	if err != nil {
		return "", err
	}
	return c.ID(), nil
}

// ContainerStart starts a container (its dependencies first); starting a
// running one is not an error here, callers that care check first.
func (b *Backend) ContainerStart(ctx context.Context, name string) error {
	return b.with(name, func(c *engine.Container) error { return c.Start(ctx) })
}

// ContainerStop is `stop`; timeout nil keeps the container's own, sig ""
// its stop signal (docker's ?signal=, a name or number).
func (b *Backend) ContainerStop(ctx context.Context, name string, timeout *uint, sig string) error {
	s, err := optionalSignal(sig)
	if err != nil {
		return err
	}
	return firstError(Stop(ctx, b.rt, []string{name}, StopOptions{Timeout: timeout, Signal: s}))
}

// ContainerRestart is `restart`, through the same service verb as the CLI.
func (b *Backend) ContainerRestart(ctx context.Context, name string, timeout *uint, sig string) error {
	s, err := optionalSignal(sig)
	if err != nil {
		return err
	}
	return firstError(Restart(ctx, b.rt, []string{name}, StopOptions{Timeout: timeout, Signal: s}))
}

// optionalSignal parses an API signal parameter; "" is 0 (the default).
func optionalSignal(sig string) (syscall.Signal, error) {
	if sig == "" {
		return 0, nil
	}
	s, err := signals.Parse(sig)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", err, define.ErrInvalidArg)
	}
	return s, nil
}

// firstError is the error of a one-container batch verb.
func firstError(reports []Report, err error) error {
	if err != nil {
		return err
	}
	for _, r := range reports {
		if r.Err != nil {
			return r.Err
		}
	}
	return nil
}

// ContainerKill is `kill -s SIG` (name or number; "" is SIGKILL).
func (b *Backend) ContainerKill(ctx context.Context, name, sig string) error {
	s := syscall.SIGKILL
	if sig != "" {
		var err error
		if s, err = signals.Parse(sig); err != nil {
			return fmt.Errorf("%w: %w", err, define.ErrInvalidArg)
		}
	}
	return b.with(name, func(c *engine.Container) error { return c.Kill(ctx, s) })
}

// ContainerPause is `pause`.
func (b *Backend) ContainerPause(ctx context.Context, name string) error {
	return b.with(name, func(c *engine.Container) error { return c.Pause(ctx) })
}

// ContainerUnpause is `unpause`.
func (b *Backend) ContainerUnpause(ctx context.Context, name string) error {
	return b.with(name, func(c *engine.Container) error { return c.Unpause(ctx) })
}

// ContainerRename is `rename`.
func (b *Backend) ContainerRename(ctx context.Context, name, newName string) error {
	return b.with(name, func(c *engine.Container) error { return c.Rename(ctx, newName) })
}

// ContainerRemove is docker's `rm` of one container: force kills a
// running container at once (docker sends SIGKILL, no stop timeout).
func (b *Backend) ContainerRemove(ctx context.Context, name string, force, volumes bool) error {
	opts := RemoveOptions{Force: force, Volumes: volumes}
	if force {
		var now uint
		opts.Timeout = &now
	}
	reports, err := Remove(ctx, b.rt, []string{name}, opts)
	if err != nil {
		return err
	}
	for _, r := range reports {
		if r.Err != nil {
			return r.Err
		}
	}
	return nil
}

// ContainerTop is `top`.
func (b *Backend) ContainerTop(ctx context.Context, name string, args []string) ([][]string, error) {
	c, err := b.rt.LookupContainer(name)
	if err != nil {
		return nil, err
	}
	return c.Top(ctx, args)
}

// Wait conditions of docker's API.
const (
	WaitNotRunning = "not-running"
	WaitNextExit   = "next-exit"
	WaitRemoved    = "removed"
)

// ContainerWait blocks until the condition holds and returns the exit
// code: not-running (also a container never started: it waits for it to
// run and exit only when it has not exited before), next-exit, removed.
func (b *Backend) ContainerWait(ctx context.Context, name, condition string) (int32, error) {
	c, err := b.rt.LookupContainer(name)
	if err != nil {
		return -1, err
	}
	switch condition {
	case "", WaitNotRunning:
		st, err := c.State()
		if err != nil {
			return -1, err
		}
		if st.Status == define.StatusConfigured || st.Status == define.StatusExited || st.Status == define.StatusStopped {
			return st.ExitCode, nil
		}
		return c.Wait(ctx)
	case WaitNextExit:
		return c.Wait(ctx)
	case WaitRemoved:
		code, err := c.Wait(ctx)
		if err != nil && !errors.Is(err, define.ErrNoSuchCtr) && !errors.Is(err, define.ErrCtrRemoved) {
			return code, err
		}
		for {
			if ok, err := b.rt.ContainerExists(c.ID()); err != nil || !ok {
				return code, err
			}
			select {
			case <-ctx.Done():
				return -1, ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return -1, fmt.Errorf("invalid condition %q: %w", condition, define.ErrInvalidArg)
}

// ContainerAttach attaches to a container, creating it in the runtime
// first when it was never started, so a client may attach before it
// starts the container (docker run's order) and miss no output.
func (b *Backend) ContainerAttach(ctx context.Context, name string, s AttachStreams, detachKeys []byte, resize <-chan [2]uint16) error {
	c, err := b.rt.LookupContainer(name)
	if err != nil {
		return err
	}
	st, err := c.State()
	if err != nil {
		return err
	}
	if st.Status == define.StatusConfigured || st.Status == define.StatusStopped || st.Status == define.StatusExited {
		if err := c.Init(ctx); err != nil && !errors.Is(err, define.ErrCtrStateInvalid) {
			return err
		}
	}
	return c.Attach(ctx, s, detachKeys, resize)
}

// ContainerLogs is `logs`.
func (b *Backend) ContainerLogs(ctx context.Context, name string, follow bool, tail int, since, until time.Time, timestamps, details bool, stdout, stderr io.Writer) error {
	c, err := b.rt.LookupContainer(name)
	if err != nil {
		return err
	}
	return c.Logs(ctx, engine.LogOptions{Follow: follow, Tail: tail, Since: since, Until: until, Timestamps: timestamps, Details: details, Stdout: stdout, Stderr: stderr})
}

// ContainerLogsReadable is nil when the container's log driver keeps
// logs to read, else the error ContainerLogs would return.
func (b *Backend) ContainerLogsReadable(name string) error {
	return b.with(name, func(c *engine.Container) error { return c.LogsReadable() })
}

// ContainerTerminal says whether the container has a pty (its streams are
// raw then, not multiplexed).
func (b *Backend) ContainerTerminal(name string) (bool, error) {
	c, err := b.rt.LookupContainer(name)
	if err != nil {
		return false, err
	}
	return c.Config().Terminal, nil
}

func (b *Backend) with(name string, fn func(*engine.Container) error) error {
	c, err := b.rt.LookupContainer(name)
	if err != nil {
		return err
	}
	return fn(c)
}

// Events reads the events log (see Events); filters are key=value pairs.
func (b *Backend) Events(ctx context.Context, since, until time.Time, follow bool, filters []string, fn func(define.Event) error) error {
	f, err := ParseEventFilters(filters)
	if err != nil {
		return err
	}
	return Events(ctx, b.rt, EventsOptions{Since: since, Until: until, Follow: follow, Filters: f}, fn)
}
