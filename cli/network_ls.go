package cli

import (
	"fmt"
	"sort"
	"strings"

	"github.com/berth-dev/berth/cli/format"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// networkRow is one line of `network ls`; ID is short unless --no-trunc
// and Labels/Options print as k=v lists, as podman's.
type networkRow struct {
	define.Network
	noTrunc bool
}

func (r networkRow) ID() string {
	if r.noTrunc || len(r.Network.ID) < 12 {
		return r.Network.ID
	}
	return r.Network.ID[:12]
}
func (r networkRow) Labels() string  { return joinKV(r.Network.Labels) }
func (r networkRow) Options() string { return joinKV(r.Network.Options) }

func joinKV(m map[string]string) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

func newNetworkLsCommand(d *Deps) *cobra.Command {
	var fmtStr string
	var filters []string
	var quiet, noTrunc, noHeading bool
	cmd := &cobra.Command{
		Use:     "ls [options]",
		Aliases: []string{"list"},
		Short:   "List networks",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fs, err := service.ParseNetworkFilters(filters, "name", "id", "driver", "label", "label!", "dangling")
			if err != nil {
				return err
			}
			e, err := d.Engine(cmd.Context())
			if err != nil {
				return err
			}
			nets, err := e.NetworkList(cmd.Context(), fs)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if quiet {
				for _, n := range nets {
					fmt.Fprintln(out, n.Name)
				}
				return nil
			}
			if format.IsJSON(fmtStr) {
				if nets == nil {
					nets = []define.Network{}
				}
				return format.JSON(out, nets)
			}
			rows := make([]any, 0, len(nets))
			for _, n := range nets {
				rows = append(rows, networkRow{Network: n, noTrunc: noTrunc})
			}
			return format.Execute(out, fmtStr, rows,
				format.WithDefaultTable("table {{.ID}}\t{{.Name}}\t{{.Driver}}"),
				format.WithHeaders(map[string]string{"ID": "NETWORK ID"}),
				format.WithNoHeading(noHeading))
		},
	}
	f := cmd.Flags()
	f.StringVar(&fmtStr, "format", "", "pretty-print networks to JSON or using a Go template")
	f.StringArrayVarP(&filters, "filter", "f", nil, "provide filter values (e.g. 'name=berth')")
	f.BoolVarP(&quiet, "quiet", "q", false, "display only names")
	f.BoolVar(&noTrunc, "no-trunc", false, "do not truncate the network ID")
	f.BoolVar(&noHeading, "noheading", false, "do not print headers")
	return cmd
}
