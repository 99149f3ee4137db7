package cli

import (
	"errors"

	"github.com/berth-dev/berth/engine/define"
	"github.com/spf13/cobra"
)

func newNetworkExistsCommand(d *Deps) *cobra.Command {
	return &cobra.Command{
		Use:   "exists NETWORK",
		Short: "Check if a network exists",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			if _, err := rt.Network(args[0]); err != nil {
				if errors.Is(err, define.ErrNoSuchNetwork) {
					return &ExitError{Code: 1}
				}
				return err
			}
			return nil
		},
	}
}
