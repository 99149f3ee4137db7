package cli

import (
	"fmt"

	"github.com/berth-dev/berth/cli/format"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newNetworkInspectCommand(d *Deps) *cobra.Command {
	var fmtStr string
	cmd := &cobra.Command{
		Use:   "inspect [options] NETWORK [NETWORK...]",
		Short: "Display the network configuration for one or more networks",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			nets, errs := service.NetworkInspect(rt, args)
			items := make([]any, 0, len(nets))
			for _, n := range nets {
				items = append(items, n)
			}
			out := cmd.OutOrStdout()
			if fmtStr == "" || format.IsJSON(fmtStr) {
				if err := format.JSON(out, items); err != nil {
					return err
				}
			} else if err := format.Execute(out, fmtStr, items); err != nil {
				return err
			}
			for i, e := range errs {
				if i < len(errs)-1 {
					fmt.Fprintf(cmd.ErrOrStderr(), "Error: %v\n", e)
				}
			}
			if len(errs) > 0 {
				return errs[len(errs)-1]
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&fmtStr, "format", "f", "", "pretty-print network to JSON or using a Go template")
	return cmd
}
