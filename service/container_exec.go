package service

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/spec/generate"
)

// ExecOptions are the choices of `exec`.
type ExecOptions struct {
	Command []string
	// Env are -e values: KEY=VALUE, or KEY alone to take the value from
	// berth's own environment (dropped when unset there, as docker does).
	Env []string
	// EnvFiles are read in order before Env; later values win.
	EnvFiles    []string
	User        string
	WorkDir     string
	Terminal    bool
	Interactive bool
	Privileged  bool
	// Detach starts the process in the background and returns its
	// session ID.
	Detach     bool
	DetachKeys []byte
	Stdin      io.Reader
	Stdout     io.Writer
	Stderr     io.Writer
	Resize     <-chan [2]uint16
	// PreserveFDs passes descriptors 3..3+N-1 of this process on.
	PreserveFDs uint
	// PreserveFD passes the listed descriptors of this process on.
	PreserveFD []uint
}

// ExecResult is what `exec` reports.
type ExecResult struct {
	// ExitCode is the process's, when it ran attached to the end.
	ExitCode int
	// SessionID is set for a detached session.
	SessionID string
	// Detached is true when the user detached or -d was given.
	Detached bool
}

// Exec runs a command in a running container. Attached, it returns the
// command's exit code; with Detach, the new session's ID.
func Exec(ctx context.Context, c *engine.Container, opts ExecOptions) (*ExecResult, error) {
	cfg, err := execConfig(opts)
	if err != nil {
		return nil, err
	}
	if opts.Detach {
		id, err := c.ExecCreate(ctx, cfg)
		if err != nil {
			return nil, err
		}
		if err := c.ExecStart(ctx, id); err != nil {
			_ = c.ExecRemove(context.WithoutCancel(ctx), id, true)
			return nil, err
		}
		return &ExecResult{SessionID: id, Detached: true}, nil
	}
	streams := engine.AttachStreams{
		Stdin: opts.Stdin, Stdout: opts.Stdout, Stderr: opts.Stderr,
		AttachStdin: opts.Interactive, AttachStdout: true, AttachStderr: true,
	}
	code, err := c.Exec(ctx, cfg, streams, opts.DetachKeys, opts.Resize)
	if err != nil {
		if err == engine.ErrDetach {
			return &ExecResult{Detached: true}, nil
		}
		return nil, err
	}
	return &ExecResult{ExitCode: code}, nil
}

// execConfig turns the options into the engine's config: env files, then
// -e, in order, later keys replacing earlier ones.
func execConfig(opts ExecOptions) (engine.ExecConfig, error) {
	if len(opts.Command) == 0 {
		return engine.ExecConfig{}, fmt.Errorf("exec requires a command to run: %w", define.ErrInvalidArg)
	}
	entries := []string{}
	for _, f := range opts.EnvFiles {
		fromFile, err := generate.ParseEnvFile(f)
		if err != nil {
			return engine.ExecConfig{}, err
		}
		entries = append(entries, fromFile...)
	}
	var env []string
	for _, e := range append(entries, opts.Env...) {
		k, _, hasValue := strings.Cut(e, "=")
		if k == "" || strings.ContainsAny(k, " \t\n") {
			return engine.ExecConfig{}, fmt.Errorf("invalid environment variable %q: %w", e, define.ErrInvalidArg)
		}
		if !hasValue {
			v, ok := os.LookupEnv(k)
			if !ok {
				continue
			}
			e = k + "=" + v
		}
		env = append(env, e)
	}
	return engine.ExecConfig{
		Command:     opts.Command,
		Env:         env,
		User:        opts.User,
		WorkDir:     opts.WorkDir,
		Terminal:    opts.Terminal,
		Stdin:       opts.Interactive,
		Privileged:  opts.Privileged,
		PreserveFDs: opts.PreserveFDs,
		PreserveFD:  opts.PreserveFD,
	}, nil
}
