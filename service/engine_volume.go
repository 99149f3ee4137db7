package service

import (
	"context"

	"github.com/berth-dev/berth/engine/define"
)

// VolumeList lists volumes.
func (e *LocalEngine) VolumeList(_ context.Context, filters []string) ([]*define.InspectVolume, error) {
	fs, err := ParseVolumeFilters(filters, nil)
	if err != nil {
		return nil, err
	}
	return VolumeList(e.rt, fs)
}

// VolumeInspect inspects volumes.
func (e *LocalEngine) VolumeInspect(_ context.Context, names []string, all bool) ([]*define.InspectVolume, error) {
	return VolumeInspect(e.rt, names, all)
}

// VolumeCreate creates a volume.
func (e *LocalEngine) VolumeCreate(ctx context.Context, o VolumeOptions) (string, error) {
	return VolumeCreate(ctx, e.rt, o)
}

// VolumeRm removes volumes.
func (e *LocalEngine) VolumeRm(ctx context.Context, names []string, o VolumeRmOptions, done func(string)) error {
	return VolumeRm(ctx, e.rt, names, o, done)
}
