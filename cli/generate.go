package cli

import "github.com/spf13/cobra"

// newGenerateCommand is the `generate` group (systemd units; kube YAML
// joins it).
func newGenerateCommand(d *Deps) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Generate structured data based on containers, pods or volumes",
	}
	cmd.AddCommand(newGenerateSystemdCommand(d))
	return cmd
}
