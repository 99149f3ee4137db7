package cli

import (
	"github.com/berth-dev/berth/cli/format"
	"github.com/berth-dev/berth/engine/define"
	"github.com/spf13/cobra"
)

func newPodInspectCommand(d *Deps) *cobra.Command {
	var fmtStr string
	var latest bool
	cmd := &cobra.Command{
		Use:   "inspect [options] POD [POD...]",
		Short: "Display a pod configuration",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && !latest {
				return usageError("you must provide at least one name or id")
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			var out []*define.InspectPod
			var last error
			if latest {
				pods, err := rt.Pods()
				if err != nil {
					return err
				}
				if len(pods) == 0 {
					return define.ErrNoSuchPod
				}
				newest := pods[len(pods)-1]
				for _, p := range pods {
					if p.Config().CreatedTime.After(newest.Config().CreatedTime) {
						newest = p
					}
				}
				args = []string{newest.ID()}
			}
			for _, name := range args {
				p, err := rt.LookupPod(name)
				if err != nil {
					printErr(cmd, last)
					last = err
					continue
				}
				data, err := p.Inspect()
				if err != nil {
					printErr(cmd, last)
					last = err
					continue
				}
				out = append(out, data)
			}
			if fmtStr == "" || format.IsJSON(fmtStr) {
				if out == nil {
					out = []*define.InspectPod{}
				}
				if err := format.JSON(cmd.OutOrStdout(), out); err != nil {
					return err
				}
				return last
			}
			rows := make([]any, 0, len(out))
			for _, o := range out {
				rows = append(rows, o)
			}
			if err := format.Execute(cmd.OutOrStdout(), fmtStr, rows); err != nil {
				return err
			}
			return last
		},
	}
	cmd.Flags().StringVarP(&fmtStr, "format", "f", "", "format the output to a Go template or json")
	cmd.Flags().BoolVarP(&latest, "latest", "l", false, "act on the latest pod berth is aware of")
	return cmd
}

// printErr prints a previous error before the next one replaces it.
func printErr(cmd *cobra.Command, err error) {
	if err != nil {
		cmd.PrintErrf("Error: %v\n", err)
	}
}
