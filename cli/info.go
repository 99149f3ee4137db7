package cli

import (
	"github.com/berth-dev/berth/cli/format"
	"github.com/spf13/cobra"
)

func newInfoCommand(d *Deps) *cobra.Command {
	var fmtStr string
	cmd := &cobra.Command{
		Use:   "info [options]",
		Short: "Display berth system information",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := d.Engine(cmd.Context())
			if err != nil {
				return err
			}
			info, err := e.Info(cmd.Context(), Version)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			switch {
			case fmtStr == "":
				return format.YAML(out, info)
			case format.IsJSON(fmtStr):
				return format.JSON(out, info)
			}
			return format.Execute(out, fmtStr, []any{info})
		},
	}
	cmd.Flags().StringVarP(&fmtStr, "format", "f", "", "change the output format to JSON or a Go template")
	return cmd
}
