package cli

import (
	"fmt"
	"io"
	"time"

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
	var verbose bool
	cmd := &cobra.Command{
		Use:   "df [options]",
		Short: "Show berth disk usage",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if verbose && fmtStr != "" {
				return usageError("cannot combine --format and --verbose flags")
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			if verbose {
				return printDFVerbose(cmd.OutOrStdout(), rt)
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
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "show detailed information on disk usage")
	return cmd
}

type dfImageRow struct{ i service.DFImage }

func (r dfImageRow) Repository() string { return r.i.Repository }
func (r dfImageRow) Tag() string        { return r.i.Tag }
func (r dfImageRow) ImageID() string    { return r.i.ImageID }
func (r dfImageRow) Created() string    { return units.HumanDuration(time.Since(r.i.Created)) + " ago" }
func (r dfImageRow) Size() string       { return units.HumanSizeWithPrecision(float64(r.i.Size), 3) }
func (r dfImageRow) SharedSize() string {
	return units.HumanSizeWithPrecision(float64(r.i.SharedSize), 3)
}
func (r dfImageRow) UniqueSize() string {
	return units.HumanSizeWithPrecision(float64(r.i.UniqueSize), 3)
}
func (r dfImageRow) Containers() int { return r.i.Containers }

type dfCtrRow struct{ c service.DFContainer }

func (r dfCtrRow) ContainerID() string { return r.c.ContainerID }
func (r dfCtrRow) Image() string       { return r.c.Image }
func (r dfCtrRow) Command() string     { return r.c.Command }
func (r dfCtrRow) LocalVolumes() int   { return r.c.LocalVolumes }
func (r dfCtrRow) Size() string        { return units.HumanSizeWithPrecision(float64(r.c.Size), 3) }
func (r dfCtrRow) Created() string     { return units.HumanDuration(time.Since(r.c.Created)) + " ago" }
func (r dfCtrRow) Status() string      { return r.c.Status }
func (r dfCtrRow) Names() string       { return r.c.Names }

type dfVolRow struct{ v service.DFVolume }

func (r dfVolRow) VolumeName() string { return r.v.VolumeName }
func (r dfVolRow) Links() int64       { return r.v.Links }
func (r dfVolRow) Size() string       { return units.HumanSizeWithPrecision(float64(r.v.Size), 3) }

// printDFVerbose is `system df -v`: podman's three tables under their
// headings.
func printDFVerbose(out io.Writer, rt *service.Runtime) error {
	v, err := service.SystemDFVerbose(rt)
	if err != nil {
		return err
	}
	var imgs, ctrs, vols []any
	for _, i := range v.Images {
		imgs = append(imgs, dfImageRow{i})
	}
	for _, c := range v.Containers {
		ctrs = append(ctrs, dfCtrRow{c})
	}
	for _, vol := range v.Volumes {
		vols = append(vols, dfVolRow{vol})
	}
	fmt.Fprint(out, "Images space usage:\n\n")
	if err := format.Execute(out, "", imgs, format.WithDefaultTable("table {{.Repository}}\t{{.Tag}}\t{{.ImageID}}\t{{.Created}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}")); err != nil {
		return err
	}
	fmt.Fprint(out, "\nContainers space usage:\n\n")
	if err := format.Execute(out, "", ctrs, format.WithDefaultTable("table {{.ContainerID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.Created}}\t{{.Status}}\t{{.Names}}")); err != nil {
		return err
	}
	fmt.Fprint(out, "\nLocal Volumes space usage:\n\n")
	return format.Execute(out, "", vols, format.WithDefaultTable("table {{.VolumeName}}\t{{.Links}}\t{{.Size}}"))
}
