package service

import (
	"context"
	"errors"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
)

// VolumeList is `volume ls` with KEY=VALUE filters.
func (b *Backend) VolumeList(filters []string) ([]*define.InspectVolume, error) {
	fs, err := ParseVolumeFilters(filters, nil)
	if err != nil {
		return nil, err
	}
	return VolumeList(b.rt, fs)
}

// VolumeInspect is `volume inspect` of one volume.
func (b *Backend) VolumeInspect(name string) (*define.InspectVolume, error) {
	v, err := b.rt.LookupVolume(name)
	if err != nil {
		return nil, err
	}
	return v.Inspect()
}

// VolumeCreate is `volume create`; it returns the new volume.
func (b *Backend) VolumeCreate(ctx context.Context, o VolumeOptions) (*define.InspectVolume, error) {
	v, err := b.rt.NewVolume(ctx, o)
	if err != nil {
		return nil, err
	}
	return v.Inspect()
}

// VolumeRemove is `volume rm` of one volume: one in use is refused
// (force does not remove its containers, as in docker); with force a
// missing volume is no error.
func (b *Backend) VolumeRemove(ctx context.Context, name string, force bool) error {
	v, err := b.rt.LookupVolume(name)
	if err != nil {
		if force && errors.Is(err, define.ErrNoSuchVolume) {
			return nil
		}
		return err
	}
	return b.rt.RemoveVolume(ctx, v, engine.RemoveVolumeOptions{})
}

// VolumePrune removes the unused volumes the KEY=VALUE filters let
// through (anonymous ones only with anonymousOnly), and returns their
// names and the bytes they held.
func (b *Backend) VolumePrune(ctx context.Context, filters []string, anonymousOnly bool) ([]string, uint64, error) {
	fs, err := ParseVolumeFilters(filters, VolumePruneFilterKeys)
	if err != nil {
		return nil, 0, err
	}
	sizes := map[string]int64{}
	removed, err := b.rt.PruneVolumes(ctx, func(v *engine.Volume) bool {
		cfg := v.Config()
		if (anonymousOnly && !cfg.Anonymous) || !volumeMatches(v, fs, func() bool { return false }) {
			return true
		}
		sizes[cfg.Name] = dirSize(v.MountPoint())
		return false
	})
	var total uint64
	for _, n := range removed {
		total += uint64(max(sizes[n], 0))
	}
	return removed, total, err
}
