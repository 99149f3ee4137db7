package cli

import (
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newVolumeExistsCommand(d *Deps) *cobra.Command {
	return &cobra.Command{
		Use:   "exists VOLUME",
		Short: "Check if a volume exists (exit code 0 if it does, 1 if not)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			ok, err := service.VolumeExists(rt, args[0])
			if err != nil {
				return err
			}
			if !ok {
				return &ExitError{Code: 1}
			}
			return nil
		},
	}
}
