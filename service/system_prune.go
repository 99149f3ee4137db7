package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
)

// SystemPruneOptions are podman's `system prune` flags.
type SystemPruneOptions struct {
	// All prunes every image no container uses, not only dangling ones.
	All bool
	// Volumes prunes unused volumes too.
	Volumes bool
	// Filters are label=, label!= and until= (podman's keys), applied to
	// every kind of object.
	Filters []string
}

// SystemPruneReport is what `system prune` removed, per kind, and the
// space that freed; Errs are the removals that failed.
type SystemPruneReport struct {
	Containers, Pods, Volumes, Images, Networks []string
	Reclaimed                                   uint64
	Errs                                        []error
}

// SystemPrune removes the stopped containers, stopped pods, unused
// networks, dangling (with All: unused) images and, with Volumes, unused
// volumes, in the order that frees each kind for the next, as podman's.
func SystemPrune(ctx context.Context, rt *engine.Runtime, opts SystemPruneOptions) (*SystemPruneReport, error) {
	var until []time.Time
	var labels []string
	for _, f := range opts.Filters {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "until":
			t, err := ParseTime(v)
			if err != nil {
				return nil, fmt.Errorf("invalid filter %q: %w", f, err)
			}
			until = append(until, t)
		case "label", "label!":
			labels = append(labels, f)
		default:
			return nil, fmt.Errorf("invalid filter %q: system prune knows label, label! and until: %w", f, define.ErrInvalidArg)
		}
	}
	rep := &SystemPruneReport{}
	b := &Backend{rt: rt}
	// Pods first, as podman's: their stopped members go with them.
	if len(opts.Filters) == 0 {
		// A pod has no labels or creation filter of podman's here.
		pods, err := PodPrune(ctx, rt)
		if err != nil {
			return nil, err
		}
		for _, p := range pods {
			if p.Err != nil {
				rep.Errs = append(rep.Errs, p.Err)
				continue
			}
			rep.Pods = append(rep.Pods, p.ID)
		}
	}
	ids, size, err := b.ContainerPrune(ctx, opts.Filters)
	if err != nil {
		return nil, err
	}
	rep.Containers, rep.Reclaimed = ids, size
	if opts.Volumes {
		vf, err := ParseVolumeFilters(opts.Filters, VolumePruneFilterKeys)
		if err != nil {
			return nil, err
		}
		usage, _ := b.VolumeUsage()
		removed, err := VolumePrune(ctx, rt, vf)
		for _, v := range removed {
			rep.Reclaimed += uint64(max(usage[v].Size, 0))
		}
		rep.Volumes = removed
		if err != nil {
			rep.Errs = append(rep.Errs, err)
		}
	}
	if err := pruneImagesFor(ctx, rt, opts, rep); err != nil {
		return nil, err
	}
	nf, err := ParseNetworkFilters(labels, "label", "label!")
	if err != nil {
		return nil, err
	}
	nets, err := rt.PruneNetworks(ctx, func(n define.Network) bool {
		return !NetworkMatches(n, nf, false) || !createdBefore(n.Created, until)
	})
	rep.Networks = nets
	if err != nil {
		rep.Errs = append(rep.Errs, err)
	}
	return rep, nil
}

// pruneImagesFor is system prune's image step, counting the sizes of the
// images it removes.
func pruneImagesFor(ctx context.Context, rt *engine.Runtime, opts SystemPruneOptions, rep *SystemPruneReport) error {
	list, err := Images(rt)
	if err != nil {
		return err
	}
	kept, err := FilterImagesByTime(rt, list, opts.Filters)
	if err != nil {
		return err
	}
	pass, sizes := map[string]bool{}, map[string]int64{}
	for _, img := range kept {
		pass[img.ID] = ImageMatches(img, nil, opts.Filters)
	}
	for _, img := range list {
		sizes[img.ID] = img.Size
	}
	ids, err := PruneImages(ctx, rt, ImagePruneOptions{All: opts.All, Filter: func(img *define.Image) bool { return pass[img.ID] }})
	for _, id := range ids {
		rep.Reclaimed += uint64(max(sizes[id], 0))
	}
	rep.Images = ids
	if err != nil && !errors.Is(err, context.Canceled) {
		rep.Errs = append(rep.Errs, err)
	}
	return nil
}

// PruneStorageContainers removes the containers in storage that berth has
// no record of and returns their IDs: with buildOnly, only the working
// containers of builds that were killed ("berth-build-" names: system
// prune --build); otherwise every one (system prune --external, as
// podman's: leftovers of unclean shutdowns).
func PruneStorageContainers(ctx context.Context, rt *engine.Runtime, buildOnly bool) ([]string, error) {
	store, ctrs, err := storageOnlyContainers(rt)
	if err != nil {
		return nil, err
	}
	var removed []string
	var errs []error
	for _, c := range ctrs {
		if buildOnly && !isBuildContainer(c.Names) {
			continue
		}
		if ctx.Err() != nil {
			return removed, ctx.Err()
		}
		if err := store.DeleteContainer(c.ID); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, c.ID)
	}
	return removed, errors.Join(errs...)
}

func isBuildContainer(names []string) bool {
	for _, n := range names {
		if strings.HasPrefix(n, "berth-build-") {
			return true
		}
	}
	return false
}
