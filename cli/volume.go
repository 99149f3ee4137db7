package cli

import "github.com/spf13/cobra"

// newVolumeCommand is the `volume` group.
func newVolumeCommand(d *Deps) *cobra.Command {
	cmd := &cobra.Command{Use: "volume", Short: "Manage volumes", RunE: subcommandRequired}
	cmd.AddCommand(newVolumeCreateCommand(d), newVolumeLsCommand(d), newVolumeInspectCommand(d),
		newVolumeRmCommand(d), newVolumePruneCommand(d), newVolumeExistsCommand(d),
		newVolumeExportCommand(d), newVolumeImportCommand(d), newVolumeMountCommand(d), newVolumeUnmountCommand(d))
	return cmd
}
