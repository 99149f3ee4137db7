package cli

import (
	"fmt"

	"github.com/berth-dev/berth/cli/format"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newVolumeLsCommand(d *Deps) *cobra.Command {
	var fmtStr string
	var filters []string
	var quiet, noHeading bool
	cmd := &cobra.Command{
		Use:     "ls [options]",
		Aliases: []string{"list"},
		Short:   "List volumes",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := service.ParseVolumeFilters(filters, nil); err != nil {
				return err
			}
			e, err := d.Engine(cmd.Context())
			if err != nil {
				return err
			}
			vols, err := e.VolumeList(cmd.Context(), filters)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if quiet {
				for _, v := range vols {
					fmt.Fprintln(out, v.Name)
				}
				return nil
			}
			if format.IsJSON(fmtStr) {
				if vols == nil {
					vols = []*define.InspectVolume{}
				}
				return format.JSON(out, vols)
			}
			rows := make([]any, 0, len(vols))
			for _, v := range vols {
				rows = append(rows, v)
			}
			return format.Execute(out, fmtStr, rows,
				format.WithDefaultTable("table {{.Driver}}\t{{.Name}}"),
				format.WithHeaders(map[string]string{"Name": "VOLUME NAME"}),
				format.WithNoHeading(noHeading))
		},
	}
	f := cmd.Flags()
	f.StringVar(&fmtStr, "format", "", "pretty-print volumes to JSON or using a Go template")
	f.StringArrayVarP(&filters, "filter", "f", nil, "filter volume output (name, label, label!, driver, dangling, opt, scope, until, since)")
	f.BoolVarP(&quiet, "quiet", "q", false, "print volume names only")
	f.BoolVarP(&noHeading, "noheading", "n", false, "do not print headers")
	return cmd
}
