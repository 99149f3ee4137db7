package cli

import (
	"fmt"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newVolumeRmCommand(d *Deps) *cobra.Command {
	var o service.VolumeRmOptions
	var timeout int
	cmd := &cobra.Command{
		Use:     "rm [options] VOLUME [VOLUME...]",
		Aliases: []string{"remove"},
		Short:   "Remove one or more volumes",
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.All == (len(args) > 0) {
				return usageError("choose either one or more volumes or all")
			}
			if cmd.Flags().Changed("time") {
				if timeout < 0 {
					return usageError("invalid --time %d: must not be negative", timeout)
				}
				t := uint(timeout)
				o.Timeout = &t
			}
			e, err := d.Engine(cmd.Context())
			if err != nil {
				return err
			}
			err = e.VolumeRm(cmd.Context(), args, o, func(name string) {
				fmt.Fprintln(cmd.OutOrStdout(), name)
			})
			return removalExitCode(reportAll(cmd, err), unjoin(err))
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.All, "all", "a", false, "remove all volumes")
	f.BoolVarP(&o.Force, "force", "f", false, "remove a volume by force, removing the containers that use it first")
	f.IntVarP(&timeout, "time", "t", 10, "seconds to wait for a container to stop before killing it (with --force)")
	return cmd
}
