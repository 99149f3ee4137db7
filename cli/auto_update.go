package cli

import (
	"fmt"
	"os"

	"github.com/berth-dev/berth/cli/format"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// autoUpdateRow is a report with the template fields podman's
// auto-update --format knows.
type autoUpdateRow struct {
	Unit, Container, ContainerID, ContainerName, Image, Policy, Updated string
}

func newAutoUpdateCommand(d *Deps) *cobra.Command {
	var o service.AutoUpdateOptions
	var reg registryFlags
	var fmtStr string
	cmd := &cobra.Command{
		Use:   "auto-update [options]",
		Short: "Auto update containers according to their auto-update policy",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ro, err := reg.options(cmd)
			if err != nil {
				return err
			}
			o.Registry = ro
			o.Systemd = service.Systemctl{User: os.Getuid() != 0}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			reports, errs := service.AutoUpdate(cmd.Context(), rt, o)
			out := cmd.OutOrStdout()
			rows := make([]autoUpdateRow, len(reports))
			items := make([]any, len(reports))
			for i, r := range reports {
				rows[i] = autoUpdateRow{Unit: r.Unit, Container: r.Container(), ContainerID: r.ContainerID,
					ContainerName: r.ContainerName, Image: r.Image, Policy: r.Policy, Updated: r.Updated}
				items[i] = rows[i]
			}
			if format.IsJSON(fmtStr) {
				err = format.JSON(out, rows)
			} else {
				err = format.Execute(out, fmtStr, items,
					format.WithDefaultTable("table {{.Unit}}\t{{.Container}}\t{{.Image}}\t{{.Policy}}\t{{.Updated}}"))
			}
			if err != nil {
				return err
			}
			for i, e := range errs {
				if i == len(errs)-1 {
					return e
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "Error: %v\n", e)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.DryRun, "dry-run", false, "check for pending updates")
	f.BoolVar(&o.Rollback, "rollback", true, "rollback to previous image if update fails")
	f.StringVar(&fmtStr, "format", "", "change the output format to JSON or a Go template")
	bindRegistryFlags(f, &reg, false)
	return needsFull(cmd)
}
