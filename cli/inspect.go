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
			e, err := d.Engine(ctx)
			if err != nil {
				return err
			}
			if kind != "" {
				typ = kind
			}
			switch typ {
			case "", "all", "container", "image", "volume", "network", "pod":
			default:
				return usageError("invalid --type %q: must be container, image, volume, network, pod or all", typ)
			}
			if d.isRemote() && typ != "" && typ != "all" && typ != "container" {
				return notRemote("inspect --type " + typ)
			}
			if latest {
				rows, err := e.List(ctx, service.ListOptions{Latest: true})
				if err != nil {
					return err
				}
				if len(rows) == 0 {
					return fmt.Errorf("no containers to act on with --latest: %w", define.ErrNoSuchCtr)
				}
				args = append(args, rows[0].ID)
			}
			if len(args) == 0 {
				return usageError("inspect requires at least one argument")
			}
			var items []any
			var errs []error
			for _, name := range args {
				item, err := inspectOne(ctx, d, e, name, typ, size)
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
		f.StringVarP(&typ, "type", "t", "all", "specify inspect-object type (container, image, volume, network, pod, all)")
	}
	if kind != "image" {
		f.BoolVarP(&latest, "latest", "l", false, "act on the latest container berth is aware of")
	}
	return cmd
}

// idField matches docker's spelling {{.Id}} of the ID field, which
// podman accepts too.
var idField = regexp.MustCompile(`\.Id\b`)

// inspectOne inspects a container through e; images, volumes, networks
// and pods are looked up locally only. Without a type the first match in
// podman's order wins: container, image, volume, network, pod.
func inspectOne(ctx context.Context, d *Deps, e service.Engine, name, typ string, size bool) (any, error) {
	if typ == "" || typ == "all" || typ == "container" {
		item, err := e.InspectContainer(ctx, name, size)
		if err == nil || !errors.Is(err, define.ErrNoSuchCtr) || typ == "container" {
			return item, err
		}
		if d.isRemote() {
			return nil, fmt.Errorf("no such object: %q", name)
		}
	}
	rt, err := d.Runtime(ctx)
	if err != nil {
		return nil, err
	}
	switch typ {
	case "volume":
		vols, err := service.VolumeInspect(rt, []string{name}, false)
		if err != nil {
			return nil, err
		}
		return vols[0], nil
	case "network":
		nets, errs := service.NetworkInspect(rt, []string{name})
		if len(errs) > 0 {
			return nil, errs[0]
		}
		return nets[0], nil
	case "pod":
		p, err := rt.LookupPod(name)
		if err != nil {
			return nil, err
		}
		return p.Inspect()
	}
	img, err := service.LookupImage(rt, name)
	if err == nil {
		return service.InspectImage(rt, img)
	}
	if typ == "image" {
		return nil, err
	}
	if vols, verr := service.VolumeInspect(rt, []string{name}, false); verr == nil {
		return vols[0], nil
	}
	if nets, errs := service.NetworkInspect(rt, []string{name}); len(errs) == 0 && len(nets) == 1 {
		return nets[0], nil
	}
	if p, perr := rt.LookupPod(name); perr == nil {
		return p.Inspect()
	}
	return nil, fmt.Errorf("no such object: %q", name)
}
