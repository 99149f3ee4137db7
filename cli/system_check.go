package cli

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// newSystemCheckCommand is podman's `system check`.
func newSystemCheckCommand(d *Deps) *cobra.Command {
	var opts service.CheckOptions
	var maxAge string
	cmd := &cobra.Command{
		Use:   "check [options]",
		Short: "Perform consistency checks on image and container storage",
		Long: "Check image layers, images and containers in storage, and berth's containers against them;\n" +
			"find mounts, network namespaces, cgroups and bridges no container owns any more;\n" +
			"with --repair remove what is damaged or leaked (with --force also the containers using damaged images).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("max") {
				age, err := time.ParseDuration(maxAge)
				if err != nil || age < 0 {
					return usageError("invalid --max %q: must be a duration such as 24h", maxAge)
				}
				opts.UnreferencedLayerMaxAge = &age
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			rep, err := service.SystemCheck(cmd.Context(), rt, opts)
			if rep != nil {
				printCheckReport(cmd.OutOrStdout(), rep)
			}
			if err != nil {
				return err
			}
			if rep.Errors && !opts.Repair {
				return errors.New("damage found in local storage: `system check --repair` removes it")
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&opts.Force, "force", "f", false, "remove containers which depend on damaged images too")
	f.StringVarP(&maxAge, "max", "m", "24h", "maximum allowed age of unreferenced layers")
	f.BoolVarP(&opts.Quick, "quick", "q", false, "skip time-consuming checks")
	// -r is the global --remote here, so --repair has no shorthand.
	f.BoolVar(&opts.Repair, "repair", false, "remove damaged images and layers")
	return cmd
}

// printCheckReport prints the damage found and what was removed, by kind.
func printCheckReport(w io.Writer, rep *service.CheckReport) {
	if !rep.Errors {
		fmt.Fprintln(w, "No problems found")
		return
	}
	for _, part := range []struct {
		title string
		m     map[string][]string
	}{
		{"Damaged layers", rep.Layers}, {"Damaged read-only layers", rep.ROLayers},
		{"Damaged images", rep.Images}, {"Damaged read-only images", rep.ROImages},
		{"Damaged containers", rep.Containers}, {"Stale container directories", rep.StaleDirs},
		{"Leaked mounts", rep.Mounts}, {"Leaked network namespaces", rep.NetNS},
		{"Leaked cgroups", rep.Cgroups}, {"Leaked bridges", rep.Bridges},
	} {
		if len(part.m) == 0 {
			continue
		}
		fmt.Fprintln(w, part.title+":")
		for _, id := range slices.Sorted(maps.Keys(part.m)) {
			fmt.Fprintf(w, " ID %s:\n", id)
			for _, e := range part.m[id] {
				fmt.Fprintf(w, "  %s\n", e)
			}
		}
	}
	for _, part := range []struct {
		title string
		ids   []string
	}{{"Deleted containers", rep.RemovedContainers}, {"Deleted images", rep.RemovedImages}, {"Deleted layers", rep.RemovedLayers},
		{"Deleted stale container directories", rep.RemovedStale}, {"Removed leaks", rep.RemovedLeaks}} {
		if len(part.ids) == 0 {
			continue
		}
		fmt.Fprintln(w, part.title+":")
		for _, id := range part.ids {
			fmt.Fprintf(w, " %s\n", id)
		}
	}
}
