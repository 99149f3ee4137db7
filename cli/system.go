package cli

import (
	"github.com/spf13/cobra"
)

// newSystemCommand is podman's `system` group: information about the
// engine and the whole store.
func newSystemCommand(d *Deps) *cobra.Command {
	sys := &cobra.Command{Use: "system", Short: "Manage berth", RunE: subcommandRequired}
	sys.AddCommand(newInfoCommand(d), newEventsCommand(d), newSystemResetCommand(d), newSystemDFCommand(d), newSystemServiceCommand(d),
		newSystemBootCommand(d), newSystemCheckCommand(d), newSystemMigrateCommand(d), newSystemRenumberCommand(d),
		newSystemConnectionCommand(), newSystemPruneCommand(d))
	return sys
}

func newSystemResetCommand(d *Deps) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "reset [options]",
		Short: "Reset berth storage back to its initial state",
		Long: "Remove every container, volume, network (the default one's bridge and firewall rules included) and image,\n" +
			"then the storage and run roots themselves.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !force {
				ok, err := confirm(cmd, "WARNING! This will remove:\n"+
					"        - all containers\n"+
					"        - all volumes\n"+
					"        - all networks\n"+
					"        - all images\n"+
					"        - the storage and run roots\n"+
					"Are you sure you want to continue? [y/N] ")
				if err != nil || !ok {
					return err
				}
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			// Reset shuts the runtime down; Close must not do it again.
			d.rt = nil
			return rt.Reset(cmd.Context())
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not prompt for confirmation")
	return cmd
}
