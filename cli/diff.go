package cli

import (
	"fmt"

	"github.com/berth-dev/berth/cli/format"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// diffJSON is podman's `diff --format json` document.
type diffJSON struct {
	Changed []string `json:"changed,omitempty"`
	Added   []string `json:"added,omitempty"`
	Deleted []string `json:"deleted,omitempty"`
}

func newDiffCommand(d *Deps) *cobra.Command {
	var fmtStr string
	var latest bool
	cmd := &cobra.Command{
		Use:   "diff [options] CONTAINER",
		Short: "Inspect changes to the container's file systems",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if fmtStr != "" && !format.IsJSON(fmtStr) {
				return usageError("invalid --format %q: only json is supported", fmtStr)
			}
			if len(args) == 0 && !latest {
				return usageError("diff requires a container name or ID (or --latest)")
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			var name string
			if latest {
				if len(args) > 0 {
					return usageError("--latest and a container cannot be used together")
				}
				c, err := latestContainer(rt)
				if err != nil {
					return err
				}
				name = c.ID()
			} else {
				name = args[0]
			}
			c, err := rt.LookupContainer(name)
			if err != nil {
				// podman's diff takes an image too.
				if isNotFound(err) && !latest {
					if changes, ierr := service.ImageDiff(rt, name, ""); ierr == nil {
						return printChanges(cmd, fmtStr, changes)
					}
				}
				return err
			}
			changes, err := c.Changes(cmd.Context())
			if err != nil {
				return err
			}
			return printChanges(cmd, fmtStr, changes)
		},
	}
	cmd.Flags().StringVar(&fmtStr, "format", "", "change the output format (json)")
	cmd.Flags().BoolVarP(&latest, "latest", "l", false, "act on the latest container berth is aware of")
	return cmd
}

// printChanges prints diff's lines ("A /path") or podman's JSON document.
func printChanges(cmd *cobra.Command, fmtStr string, changes []service.Change) error {
	out := cmd.OutOrStdout()
	if fmtStr != "" {
		var doc diffJSON
		for _, ch := range changes {
			switch ch.Kind {
			case "A":
				doc.Added = append(doc.Added, ch.Path)
			case "D":
				doc.Deleted = append(doc.Deleted, ch.Path)
			default:
				doc.Changed = append(doc.Changed, ch.Path)
			}
		}
		return format.JSON(out, doc)
	}
	for _, ch := range changes {
		fmt.Fprintf(out, "%s %s\n", ch.Kind, ch.Path)
	}
	return nil
}
