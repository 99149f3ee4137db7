package cli

import (
	"context"
	"regexp"

	"errors"
	"fmt"

	"github.com/berth-dev/berth/cli/format"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// newInspectCommand builds `inspect` (containers, then images), or
// `container inspect` / `image inspect` when kind is set.
func newInspectCommand(d *Deps, kind string) *cobra.Command {
	var fmtStr, typ string
	var size, latest bool
	cmd := &cobra.Command{
		Use:   "inspect [options] {CONTAINER|IMAGE} [...]",
		Short: "Display the configuration of object denoted by ID",
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			rt, err := d.Runtime(ctx)
			if err != nil {
				return err
			}
			if kind != "" {
				typ = kind
			}
			switch typ {
			case "", "all", "container", "image", "volume":
			default:
				return usageError("invalid --type %q: must be container, image, volume or all", typ)
			}
			if latest {
				c, err := latestContainer(rt)
				if err != nil {
					return err
				}
				args = append(args, c.ID())
			}
			if len(args) == 0 {
				return usageError("inspect requires at least one argument")
			}
			var items []any
			var errs []error
			for _, name := range args {
				item, err := inspectOne(ctx, rt, name, typ, size)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				items = append(items, item)
			}
			out := cmd.OutOrStdout()
			if fmtStr == "" || format.IsJSON(fmtStr) {
				if items == nil {
					items = []any{}
				}
				if err := format.JSON(out, items); err != nil {
					return err
				}
			} else if err := format.Execute(out, idField.ReplaceAllString(fmtStr, ".ID"), items); err != nil {
				return err
			}
			for i, e := range errs {
				if i < len(errs)-1 {
					fmt.Fprintf(cmd.ErrOrStderr(), "Error: %v\n", e)
				}
			}
			if len(errs) > 0 {
				return errs[len(errs)-1]
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&fmtStr, "format", "f", "", "format the output to a Go template or json")
	f.BoolVarP(&size, "size", "s", false, "display total file size")
	if kind == "" {
		f.StringVarP(&typ, "type", "t", "all", "specify inspect-object type (container, image, volume, all)")
	}
	if kind != "image" {
		f.BoolVarP(&latest, "latest", "l", false, "act on the latest container berth is aware of")
	}
	return cmd
}

// idField matches docker's spelling {{.Id}} of the ID field, which
// podman accepts too.
var idField = regexp.MustCompile(`\.Id\b`)

func inspectOne(ctx context.Context, rt *service.Runtime, name, typ string, size bool) (any, error) {
	if typ == "volume" {
		vols, err := service.VolumeInspect(rt, []string{name}, false)
		if err != nil {
			return nil, err
		}
		return vols[0], nil
	}
	if typ != "image" {
		c, err := rt.LookupContainer(name)
		if err == nil {
			return c.Inspect(ctx, size)
		}
		if !errors.Is(err, define.ErrNoSuchCtr) || typ == "container" {
			return nil, err
		}
	}
	img, err := service.LookupImage(rt, name)
	if err != nil {
		if typ == "image" {
			return nil, err
		}
		if vols, verr := service.VolumeInspect(rt, []string{name}, false); verr == nil {
			return vols[0], nil
		}
		return nil, fmt.Errorf("no such object: %q", name)
	}
	return service.InspectImage(rt, img)
}
