package cli

import (
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
