package cli

import (
	"fmt"
	"time"

	"github.com/berth-dev/berth/cli/format"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// secretRow is one line of `secret ls` (podman's SecretListReport).
type secretRow struct {
	ID, Name, Driver, CreatedAt, UpdatedAt string
}

func newSecretLsCommand(d *Deps) *cobra.Command {
	var fmtStr string
	var filters []string
	var quiet, noHeading bool
	cmd := &cobra.Command{
		Use:     "ls [options]",
		Aliases: []string{"list"},
		Short:   "List secrets",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := service.CheckSecretFilters(filters); err != nil {
				return err
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			list, err := service.SecretList(rt, filters)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if quiet && !cmd.Flags().Changed("format") {
				for _, s := range list {
					fmt.Fprintln(out, s.ID)
				}
				return nil
			}
			if format.IsJSON(fmtStr) {
				return format.JSON(out, list)
			}
			ago := func(t time.Time) string { return format.HumanDuration(time.Since(t)) + " ago" }
			rows := make([]any, 0, len(list))
			for _, s := range list {
				rows = append(rows, secretRow{ID: s.ID, Name: s.Spec.Name, Driver: s.Spec.Driver.Name,
					CreatedAt: ago(s.CreatedAt), UpdatedAt: ago(s.UpdatedAt)})
			}
			return format.Execute(out, fmtStr, rows,
				format.WithDefaultTable("table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.CreatedAt}}\t{{.UpdatedAt}}"),
				format.WithHeaders(map[string]string{"CreatedAt": "CREATED", "UpdatedAt": "UPDATED"}),
				format.WithNoHeading(noHeading))
		},
	}
	f := cmd.Flags()
	f.StringVar(&fmtStr, "format", "", "format secret output using Go template")
	f.StringArrayVarP(&filters, "filter", "f", nil, "filter secret output (name, id, label)")
	f.BoolVarP(&noHeading, "noheading", "n", false, "do not print headers")
	f.BoolVarP(&quiet, "quiet", "q", false, "print secret IDs only")
	return cmd
}
