package cli

import (
	"strings"

	"github.com/berth-dev/berth/cli/format"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// searchRow is one line of `search`, with podman's template fields.
type searchRow struct {
	service.SearchResult
	noTrunc bool
}

// Description is cut to 44 characters unless --no-trunc, as in podman.
func (r searchRow) Description() string {
	d := strings.ReplaceAll(r.SearchResult.Description, "\n", " ")
	if !r.noTrunc && len(d) > 44 {
		d = strings.TrimSpace(d[:44]) + "..."
	}
	return d
}

func newSearchCommand(d *Deps) *cobra.Command {
	var (
		reg        registryFlags
		o          service.SearchOptions
		fmtStr     string
		noTrunc    bool
		compatible bool
	)
	cmd := &cobra.Command{
		Use:   "search [options] TERM",
		Short: "Search a registry for an image",
		Long: "Search registries for repositories whose name contains TERM: the registry named in it\n" +
			"(REGISTRY/NAME), else registries.conf's unqualified-search-registries.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := service.CheckSearchFilters(o.Filters); err != nil {
				return err
			}
			if o.Limit < 0 {
				return usageError("limit %d is outside the range of [1, 100]", o.Limit)
			}
			ro, err := reg.options(cmd)
			if err != nil {
				return err
			}
			o.RegistryOptions = ro
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			res, err := service.Search(cmd.Context(), rt, args[0], o)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if format.IsJSON(fmtStr) {
				return format.JSON(out, res)
			}
			rows := make([]any, 0, len(res))
			for _, r := range res {
				rows = append(rows, searchRow{SearchResult: r, noTrunc: noTrunc})
			}
			table := "table {{.Name}}\t{{.Description}}"
			switch {
			case o.ListTags:
				table = "table {{.Name}}\t{{.Tag}}"
			case compatible:
				table = "table {{.Name}}\t{{.Description}}\t{{.Stars}}\t{{.Official}}\t{{.Automated}}"
			}
			return format.Execute(out, fmtStr, rows, format.WithDefaultTable(table))
		},
	}
	f := cmd.Flags()
	bindRegistryFlags(f, &reg, true)
	f.IntVar(&o.Limit, "limit", 0, "limit the number of results (default 25 per registry; all tags with --list-tags)")
	f.StringArrayVarP(&o.Filters, "filter", "f", nil, "filter output based on conditions provided (stars, is-automated, is-official)")
	f.StringVar(&fmtStr, "format", "", "change the output format to JSON or a Go template")
	f.BoolVar(&noTrunc, "no-trunc", false, "do not truncate the output")
	f.BoolVar(&o.ListTags, "list-tags", false, "list the tags of the input registry")
	f.BoolVar(&compatible, "compatible", false, "list stars, official and automated columns (docker compatibility)")
	return needsFull(cmd)
}
