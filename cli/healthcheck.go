package cli

import (
	"fmt"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newHealthcheckCommand(d *Deps) *cobra.Command {
	hc := &cobra.Command{Use: "healthcheck", Short: "Manage health checks on containers", RunE: subcommandRequired}
	hc.AddCommand(newHealthcheckRunCommand(d), newHealthcheckSchedulerCommand(d))
	return hc
}

// newHealthcheckRunCommand is `healthcheck run`: exit 0 when the check
// passed, 1 (printing "unhealthy") when it failed, 125 when it could not
// run (no such container, no healthcheck, not running), as podman.
func newHealthcheckRunCommand(d *Deps) *cobra.Command {
	return &cobra.Command{
		Use:   "run CONTAINER",
		Short: "Run the health check of a container",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			res, err := service.HealthCheckRun(cmd.Context(), rt, args[0])
			if err != nil {
				return &codedError{error: err, code: 125}
			}
			if !res.Passed {
				status := "unhealthy"
				if res.Startup {
					status = "starting"
				}
				fmt.Fprintln(cmd.OutOrStdout(), status)
				return &ExitError{Code: 1}
			}
			return nil
		},
	}
}

// newHealthcheckSchedulerCommand is the process that runs a container's
// checks on schedule where systemd does not; the engine starts it with
// the container and kills it on cleanup.
func newHealthcheckSchedulerCommand(d *Deps) *cobra.Command {
	return &cobra.Command{
		Use:    "scheduler CONTAINER-ID",
		Short:  "Run a container's healthchecks on schedule (started by berth with the container)",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			return service.HealthCheckScheduler(cmd.Context(), rt, args[0])
		},
	}
}
