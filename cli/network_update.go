package cli

import (
	"fmt"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// newNetworkUpdateCommand is podman's `network update`: a network's DNS
// servers, live for the containers on it.
func newNetworkUpdateCommand(d *Deps) *cobra.Command {
	var o service.NetworkUpdateOptions
	cmd := &cobra.Command{
		Use:   "update [options] NETWORK",
		Short: "Update an existing network",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			name, err := service.NetworkUpdate(cmd.Context(), rt, args[0], o)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), name)
			return nil
		},
	}
	cmd.Flags().StringSliceVar(&o.AddDNSServers, "dns-add", nil, "add network level nameservers")
	cmd.Flags().StringSliceVar(&o.DropDNSServers, "dns-drop", nil, "remove network level nameservers")
	return cmd
}
