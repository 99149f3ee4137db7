package cli

import (
	"fmt"
	"time"

	"github.com/berth-dev/berth/cli/format"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// historyRow is one line of `history`, with podman's template fields and
// JSON names.
type historyRow struct {
	e       service.HistoryEntry
	noTrunc bool
	human   bool

	IDJSON        string    `json:"id"`
	CreatedJSON   time.Time `json:"created"`
	CreatedByJSON string    `json:"CreatedBy"`
	SizeJSON      int64     `json:"size"`
	CommentJSON   string    `json:"comment"`
	Tags          []string  `json:"tags,omitempty"`
}

func (r historyRow) ID() string {
	switch {
	case r.e.ID == "":
		return "<missing>"
	case r.noTrunc:
		return r.e.ID
	}
	return r.e.ID[:12]
}

func (r historyRow) Created() string {
	if r.e.Created.IsZero() {
		return ""
	}
	if !r.human {
		return r.e.Created.UTC().Format(time.RFC3339)
	}
	return format.HumanDuration(time.Since(r.e.Created)) + " ago"
}

func (r historyRow) CreatedAt() string { return r.e.Created.UTC().Format(time.RFC3339) }
func (r historyRow) CreatedSince() string {
	return format.HumanDuration(time.Since(r.e.Created)) + " ago"
}

// CreatedBy is cut at 45 characters unless --no-trunc, as podman does.
func (r historyRow) CreatedBy() string {
	if !r.noTrunc && len(r.e.CreatedBy) > 45 {
		return r.e.CreatedBy[:42] + "..."
	}
	return r.e.CreatedBy
}

func (r historyRow) Size() string    { return format.HumanSize(r.e.Size) }
func (r historyRow) Comment() string { return r.e.Comment }

func newHistoryCommand(d *Deps) *cobra.Command {
	var (
		fmtStr         string
		human, noTrunc bool
		quiet          bool
	)
	cmd := &cobra.Command{
		Use:   "history [options] IMAGE",
		Short: "Show history of a specified image",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			entries, err := service.History(rt, args[0])
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			rows := make([]any, 0, len(entries))
			for _, e := range entries {
				r := historyRow{e: e, noTrunc: noTrunc, human: human,
					IDJSON: e.ID, CreatedJSON: e.Created, CreatedByJSON: e.CreatedBy, SizeJSON: e.Size, CommentJSON: e.Comment, Tags: e.Tags}
				if r.IDJSON == "" {
					r.IDJSON = "<missing>"
				}
				if quiet {
					fmt.Fprintln(out, r.ID())
					continue
				}
				rows = append(rows, r)
			}
			if quiet {
				return nil
			}
			if format.IsJSON(fmtStr) {
				return format.JSON(out, rows)
			}
			return format.Execute(out, fmtStr, rows,
				format.WithDefaultTable("table {{.ID}}\t{{.Created}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"),
				format.WithHeaders(map[string]string{"CreatedBy": "CREATED BY"}))
		},
	}
	f := cmd.Flags()
	f.StringVar(&fmtStr, "format", "", "change the output to JSON or a Go template")
	f.BoolVarP(&human, "human", "H", true, "display sizes and dates in human readable format")
	f.BoolVar(&noTrunc, "no-trunc", false, "do not truncate the output")
	f.BoolVar(&noTrunc, "notruncate", false, "do not truncate the output")
	_ = f.MarkHidden("notruncate")
	f.BoolVarP(&quiet, "quiet", "q", false, "display the numeric IDs only")
	return cmd
}
