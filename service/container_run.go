package service

import (
	"context"
	"errors"
	"io"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/spec"
)

// RunOptions are the attach choices of `run`.
type RunOptions struct {
	CreateOptions
	Detach bool
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Attach selects streams ("stdin", "stdout", "stderr"); empty means
	// stdout and stderr, plus stdin with -i.
	Attach     []string
	DetachKeys []byte
	Resize     <-chan [2]uint16
	// OnCreate is called with the new container before it starts (the CLI
	// uses it to print the ID of a detached container, or set up signals).
	OnCreate func(*engine.Container)
}

// RunResult is what `run` reports.
type RunResult struct {
	Container *engine.Container
	ExitCode  int32
	Detached  bool
}

// Run creates and starts a container. Attached, it streams the
// container's output, waits for it to exit and returns its exit code;
// with --rm it removes the container afterwards. If the container cannot
// be started, it is removed again: a failed run leaves nothing behind.
func Run(ctx context.Context, rt *engine.Runtime, s *spec.ContainerSpec, opts RunOptions) (_ *RunResult, retErr error) {
	c, err := Create(ctx, rt, s, opts.CreateOptions)
	if err != nil {
		return nil, err
	}
	started := false
	defer func() {
		// Roll back only a container that never ran: once started, it is
		// the user's (and its --rm cleanup's) business.
		if retErr != nil && !started {
			_ = rt.RemoveContainer(context.WithoutCancel(ctx), c, engine.RemoveOptions{Force: true, Volumes: true})
		}
	}()
	if opts.OnCreate != nil {
		opts.OnCreate(c)
	}
	res := &RunResult{Container: c}
	if opts.Detach {
		if err := c.Start(ctx); err != nil {
			return nil, err
		}
		started = true
		res.Detached = true
		return res, nil
	}
	streams := attachStreams(s, opts)
	// Without a restart policy this process sees the exit and cleans up
	// itself, cheaper than leaving it to conmon's exit command.
	var claim *engine.CleanupClaim
	if !s.Restart.Restarts() {
		if claim, err = c.ClaimCleanup(s.Terminal && streams.AttachStdin); err != nil {
			return nil, err
		}
		defer claim.Release()
	}
	if d := c.Config().LogDriver; d == "passthrough" || d == "syslog" {
		// The container writes to this process's stdio itself (conmon
		// hands it over and has no attach socket), or to the syslog
		// forwarder: start and wait.
		if err := c.Start(ctx); err != nil {
			return nil, err
		}
		started = true
	} else if err := startAttached(ctx, c, streams, opts, &started); err != nil {
		if errors.Is(err, engine.ErrDetach) {
			res.Detached = true
			return res, nil
		}
		return nil, err
	}
	code, err := c.Wait(ctx)
	if err != nil {
		return res, err
	}
	res.ExitCode = code
	if claim != nil {
		if err := claim.Cleanup(ctx, s.Remove); err != nil && !isGone(err) {
			return res, err
		}
	} else if s.Remove {
		if err := rt.RemoveContainer(ctx, c, engine.RemoveOptions{Force: true}); err != nil && !isGone(err) {
			return res, err
		}
	}
	return res, nil
}

// startAttached starts c attached to streams and returns once the attach
// ends: ErrDetach when the user detached; nil when the container exited
// or the attach broke while it runs on (the caller waits for it).
func startAttached(ctx context.Context, c *engine.Container, streams engine.AttachStreams, opts RunOptions, started *bool) error {
	errCh, err := c.StartAndAttach(ctx, streams, opts.DetachKeys, opts.Resize)
	if err != nil {
		return err
	}
	*started = true
	if err := <-errCh; errors.Is(err, engine.ErrDetach) {
		return err
	}
	return nil
}

// attachStreams picks the streams to attach, docker's way: stdout and
// stderr by default, or exactly those given with -a; stdin with -i in both
// cases (-i -a stdout would otherwise leave the container reading an open
// stdin that nobody feeds).
func attachStreams(s *spec.ContainerSpec, opts RunOptions) engine.AttachStreams {
	a := engine.AttachStreams{Stdin: opts.Stdin, Stdout: opts.Stdout, Stderr: opts.Stderr}
	a.AttachStdin = s.Stdin
	if len(opts.Attach) == 0 {
		a.AttachStdout, a.AttachStderr = true, true
		return a
	}
	for _, st := range opts.Attach {
		switch st {
		case "stdin":
			a.AttachStdin = true
		case "stdout":
			a.AttachStdout = true
		case "stderr":
			a.AttachStderr = true
		}
	}
	return a
}
