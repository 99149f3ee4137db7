package cli

import (
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// timeoutFlag is -t/--time: nil when not given, so the container's own
// stop timeout applies.
func timeoutFlag(cmd *cobra.Command, v *uint) *uint {
	if cmd.Flags().Changed("time") {
		return v
	}
	return nil
}

func newStopCommand(d *Deps) *cobra.Command {
	var all bool
	var t uint
	cmd := &cobra.Command{
		Use:   "stop [options] CONTAINER [CONTAINER...]",
		Short: "Stop one or more containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := d.Engine(cmd.Context())
			if err != nil {
				return err
			}
			timeout := timeoutFlag(cmd, &t)
			reports, err := e.Stop(cmd.Context(), args, service.StopOptions{All: all, Timeout: timeout})
			if err != nil {
				return err
			}
			return printReports(cmd.OutOrStdout(), cmd.ErrOrStderr(), reports)
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "stop all running containers")
	cmd.Flags().UintVarP(&t, "time", "t", 10, "seconds to wait for stop before killing the container")
	addIDFileFlag(cmd, "cidfile", "read the container ID from the file", true, nil, ctrExists(d), false)
	return cmd
}

func newRestartCommand(d *Deps) *cobra.Command {
	var all bool
	var t uint
	cmd := &cobra.Command{
		Use:   "restart [options] CONTAINER [CONTAINER...]",
		Short: "Restart one or more containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := d.Engine(cmd.Context())
			if err != nil {
				return err
			}
			timeout := timeoutFlag(cmd, &t)
			reports, err := e.Restart(cmd.Context(), args, service.StopOptions{All: all, Timeout: timeout})
			if err != nil {
				return err
			}
			return printReports(cmd.OutOrStdout(), cmd.ErrOrStderr(), reports)
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "restart all containers")
	cmd.Flags().UintVarP(&t, "time", "t", 10, "seconds to wait for stop before killing the container")
	return cmd
}
