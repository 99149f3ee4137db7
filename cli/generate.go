package cli

import "github.com/spf13/cobra"

// newGenerateCommand is the `generate` group: systemd units, and kube
// YAML (which only berth-full writes).
func newGenerateCommand(d *Deps) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Generate structured data based on containers, pods or volumes",
	}
	cmd.AddCommand(newGenerateSystemdCommand(d), newGenerateKubeCommand(d))
	return cmd
}
