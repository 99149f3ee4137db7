package cli

import (
	"fmt"

	"github.com/berth-dev/berth/cli/format"
	"github.com/berth-dev/berth/service"
	"github.com/docker/go-units"
	"github.com/spf13/cobra"
)

// dfRow prints one `system df` line as podman does (sizes with three
// significant digits, reclaimable with its share of the total).
type dfRow struct{ u service.DiskUsage }

func (r dfRow) Type() string { return r.u.Type }
func (r dfRow) Total() int   { return r.u.Total }
func (r dfRow) Active() int  { return r.u.Active }
func (r dfRow) Size() string { return units.HumanSizeWithPrecision(float64(r.u.Size), 3) }
func (r dfRow) Reclaimable() string {
	pct := 0
	if r.u.Size > 0 {
		pct = int(100 * r.u.Reclaimable / r.u.Size)
	}
	return fmt.Sprintf("%s (%d%%)", units.HumanSizeWithPrecision(float64(r.u.Reclaimable), 3), pct)
}

func newSystemDFCommand(d *Deps) *cobra.Command {
	var fmtStr string
	cmd := &cobra.Command{
		Use:   "df [options]",
		Short: "Show berth disk usage",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			usage, err := service.SystemDF(cmd.Context(), rt)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if format.IsJSON(fmtStr) {
				return format.JSON(out, usage)
			}
			rows := make([]any, 0, len(usage))
			for _, u := range usage {
				rows = append(rows, dfRow{u})
			}
			return format.Execute(out, fmtStr, rows,
				format.WithDefaultTable("table {{.Type}}\t{{.Total}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}"))
		},
	}
	cmd.Flags().StringVar(&fmtStr, "format", "", "pretty-print the usage to JSON or using a Go template")
	return cmd
}
