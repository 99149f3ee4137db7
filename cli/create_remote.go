package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/berth-dev/berth/service"
	"github.com/berth-dev/berth/spec"
	"github.com/spf13/cobra"
)

// createRemote is `create` and `run -d` in remote mode: the container is
// created (and, with start, started) by the service, and its ID printed as
// locally. A run that attaches needs the hijacked streams and is refused.
func createRemote(cmd *cobra.Command, d *Deps, s *spec.ContainerSpec, copts service.CreateOptions, cidFile string, start bool) error {
	e, err := d.Engine(cmd.Context())
	if err != nil {
		return err
	}
	id, err := e.Create(cmd.Context(), s, copts)
	if err != nil {
		return err
	}
	if err := writeCIDFile(cidFile, id); err != nil {
		return err
	}
	if start {
		reports, err := e.Start(cmd.Context(), []string{id}, service.BatchOptions{})
		if err != nil {
			return err
		}
		if len(reports) > 0 && reports[0].Err != nil {
			return &codedError{error: reports[0].Err, code: ExitCode(reports[0].Err)}
		}
	}
	fmt.Fprintln(cmd.OutOrStdout(), id)
	return nil
}

// attachedRunner is the remote engine's attached run (create, attach,
// start, wait); the local engine runs through service.Run instead.
type attachedRunner interface {
	RunAttached(ctx context.Context, s *spec.ContainerSpec, copts service.CreateOptions, o service.AttachStreams, resize <-chan [2]uint16, detachKeys string) (string, int, error)
}

// runRemoteAttached is `run` without -d in remote mode: the container's
// streams over the service, its exit code as run's.
func runRemoteAttached(cmd *cobra.Command, d *Deps, s *spec.ContainerSpec, copts service.CreateOptions, cidFile string, selectStreams bool, detachKeys string) error {
	if selectStreams {
		return notRemote("run --attach")
	}
	e, err := d.Engine(cmd.Context())
	if err != nil {
		return err
	}
	ra, ok := e.(attachedRunner)
	if !ok {
		return notRemote("run without --detach")
	}
	term, err := newTerminal(cmd, s.Terminal && s.Stdin)
	if err != nil {
		return err
	}
	defer term.restore()
	streams := service.AttachStreams{Stdin: cmd.InOrStdin(), Stdout: cmd.OutOrStdout(), Stderr: cmd.ErrOrStderr()}
	if s.Terminal {
		streams.Stderr = streams.Stdout
	}
	term.makeRaw()
	id, code, err := ra.RunAttached(cmd.Context(), s, copts, streams, term.resize, detachKeys)
	term.restore()
	if id != "" {
		if werr := writeCIDFile(cidFile, id); werr != nil && err == nil {
			err = werr
		}
	}
	if errors.Is(err, service.ErrDetach) {
		return nil
	}
	if err != nil {
		return &codedError{error: err, code: ExitCode(err)}
	}
	if code != 0 {
		return &ExitError{Code: code}
	}
	return nil
}
