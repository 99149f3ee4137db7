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

// ContainerPrune removes the containers that are not running and that the
// KEY=VALUE filters let through (docker's: until, label, label!), and
// returns their IDs and the bytes their writable layers held.
func (b *Backend) ContainerPrune(ctx context.Context, filters []string) ([]string, uint64, error) {
	var until []time.Time
	var pass []string
	for _, f := range filters {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "until":
			t, err := ParseTime(v)
			if err != nil {
				return nil, 0, fmt.Errorf("invalid filter %q: %w", f, err)
			}
			until = append(until, t)
		case "label", "label!":
			pass = append(pass, f)
		default:
			return nil, 0, fmt.Errorf("invalid filter %q: container prune knows until, label and label!: %w", f, define.ErrInvalidArg)
		}
	}
	rows, err := List(b.rt, ListOptions{All: true, Size: true, Filters: pass})
	if err != nil {
		return nil, 0, err
	}
	sizes := map[string]int64{}
	var ids []string
	for _, r := range rows {
		if r.IsInfra || !(r.Exited || r.State == "created") || !createdBefore(r.Created, until) {
			continue
		}
		ids = append(ids, r.ID)
		if r.Size != nil {
			sizes[r.ID] = r.Size.RwSize
		}
	}
	if len(ids) == 0 {
		return nil, 0, nil
	}
	reports, err := Each(ctx, b.rt, ids, false, func(ctx context.Context, c *engine.Container) error {
		return b.rt.RemoveContainer(ctx, c, engine.RemoveOptions{})
	})
	if err != nil {
		return nil, 0, err
	}
	var removed []string
	var total uint64
	var errs []error
	for _, r := range reports {
		if r.Err != nil {
			errs = append(errs, r.Err)
			continue
		}
		removed = append(removed, r.ID)
		total += uint64(max(sizes[r.ID], 0))
	}
	return removed, total, errors.Join(errs...)
}

// createdBefore is docker's until filter: created before every time given.
func createdBefore(created time.Time, until []time.Time) bool {
	for _, t := range until {
		if !created.Before(t) {
			return false
		}
	}
	return true
}

// VolumeUsage is what `system df -v` shows of a volume: the bytes below
// its mount point and how many containers use it.
type VolumeUsage struct {
	Size     int64
	RefCount int64
}

// VolumeUsage measures every volume, by name.
func (b *Backend) VolumeUsage() (map[string]VolumeUsage, error) {
	vols, err := b.rt.Volumes()
	if err != nil {
		return nil, err
	}
	out := make(map[string]VolumeUsage, len(vols))
	for _, v := range vols {
		users, err := v.Users()
		if err != nil {
			return nil, err
		}
		out[v.Config().Name] = VolumeUsage{Size: dirSize(v.MountPoint()), RefCount: int64(len(users))}
	}
	return out, nil
}
