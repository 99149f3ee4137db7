package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
)

// VolumeCreate creates a volume (`volume create`).
func VolumeCreate(ctx context.Context, rt *engine.Runtime, o engine.VolumeOptions) (string, error) {
	v, err := rt.NewVolume(ctx, o)
	if err != nil {
		return "", err
	}
	return v.Name(), nil
}

// VolumeFilter is one parsed --filter of volume ls and prune.
type VolumeFilter struct {
	Key, Value string
	at         time.Time // until, since/after
}

// volumeFilterKeys are podman's volume ls filters; prune takes a subset.
var volumeFilterKeys = []string{"name", "label", "label!", "driver", "dangling", "opt", "scope", "until", "since", "after"}

// VolumePruneFilterKeys are the filters of volume prune.
var VolumePruneFilterKeys = []string{"label", "label!", "until"}

// ParseVolumeFilters checks --filter values against the keys allowed
// (nil: every volume ls key).
func ParseVolumeFilters(raw []string, allowed []string) ([]VolumeFilter, error) {
	if allowed == nil {
		allowed = volumeFilterKeys
	}
	var out []VolumeFilter
	for _, f := range raw {
		k, v, err := splitFilter(f, allowed)
		if err != nil {
			return nil, err
		}
		vf := VolumeFilter{Key: k, Value: v}
		switch k {
		case "dangling":
			if v != "true" && v != "false" && v != "1" && v != "0" {
				return nil, fmt.Errorf("invalid filter %q: dangling takes true or false: %w", f, define.ErrInvalidArg)
			}
		case "until", "since", "after":
			at, err := ParseTime(v)
			if err != nil {
				return nil, fmt.Errorf("invalid filter %q: %w", f, err)
			}
			vf.at = at
		}
		out = append(out, vf)
	}
	return out, nil
}

// volumeMatches applies filters podman's way: values of one key are
// OR-ed, different keys AND-ed.
func volumeMatches(v *engine.Volume, filters []VolumeFilter, inUse func() bool) bool {
	cfg := v.Config()
	byKey := map[string][]VolumeFilter{}
	for _, f := range filters {
		byKey[f.Key] = append(byKey[f.Key], f)
	}
	for k, fs := range byKey {
		ok := false
		for _, f := range fs {
			switch k {
			case "name":
				ok = ok || matchRegexp(f.Value, cfg.Name)
			case "driver":
				ok = ok || cfg.Driver == f.Value
			case "scope":
				ok = ok || f.Value == "local"
			case "label":
				ok = ok || matchLabel(f.Value, cfg.Labels)
			case "label!":
				ok = ok || !matchLabel(f.Value, cfg.Labels)
			case "opt":
				ok = ok || matchLabel(f.Value, cfg.Options)
			case "dangling":
				ok = ok || (f.Value == "true" || f.Value == "1") == !inUse()
			case "until":
				ok = ok || cfg.CreatedTime.Before(f.at)
			case "since", "after":
				ok = ok || cfg.CreatedTime.After(f.at)
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// VolumeList returns the volumes the filters let through, oldest first.
func VolumeList(rt *engine.Runtime, filters []VolumeFilter) ([]*define.InspectVolume, error) {
	vols, err := rt.Volumes()
	if err != nil {
		return nil, err
	}
	var out []*define.InspectVolume
	for _, v := range vols {
		inUse := func() bool { u, err := v.Users(); return err != nil || len(u) > 0 }
		if !volumeMatches(v, filters, inUse) {
			continue
		}
		iv, err := v.Inspect()
		if errors.Is(err, define.ErrNoSuchVolume) {
			continue // removed meanwhile
		}
		if err != nil {
			return nil, err
		}
		out = append(out, iv)
	}
	return out, nil
}

// VolumeInspect returns the named volumes; with all, every volume.
// Missing names are errors, after the ones found.
func VolumeInspect(rt *engine.Runtime, names []string, all bool) ([]*define.InspectVolume, error) {
	if all {
		return VolumeList(rt, nil)
	}
	var out []*define.InspectVolume
	var errs []error
	for _, n := range names {
		v, err := rt.LookupVolume(n)
		if err == nil {
			var iv *define.InspectVolume
			if iv, err = v.Inspect(); err == nil {
				out = append(out, iv)
				continue
			}
		}
		errs = append(errs, err)
	}
	return out, errors.Join(errs...)
}

// VolumeRmOptions is what `volume rm` asks for.
type VolumeRmOptions struct {
	All   bool
	Force bool
	// Timeout for stopping the containers -f removes.
	Timeout *uint
}

// VolumeRm removes volumes and reports each removed name through done.
// Every name is tried; the errors are joined.
func VolumeRm(ctx context.Context, rt *engine.Runtime, names []string, o VolumeRmOptions, done func(string)) error {
	var vols []*engine.Volume
	var errs []error
	if o.All {
		all, err := rt.Volumes()
		if err != nil {
			return err
		}
		vols = all
	} else {
		for _, n := range names {
			v, err := rt.LookupVolume(n)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			vols = append(vols, v)
		}
	}
	for _, v := range vols {
		if err := rt.RemoveVolume(ctx, v, engine.RemoveVolumeOptions{Force: o.Force, Timeout: o.Timeout}); err != nil {
			errs = append(errs, err)
			continue
		}
		done(v.Name())
	}
	return errors.Join(errs...)
}

// VolumePrune removes the unused volumes that match the filters.
func VolumePrune(ctx context.Context, rt *engine.Runtime, filters []VolumeFilter) ([]string, error) {
	return rt.PruneVolumes(ctx, func(v *engine.Volume) bool {
		return !volumeMatches(v, filters, func() bool { return false })
	})
}

// VolumeExport writes a volume's contents as a tar archive.
func VolumeExport(rt *engine.Runtime, name string, w io.Writer) error {
	v, err := rt.LookupVolume(name)
	if err != nil {
		return err
	}
	return v.Export(w)
}

// VolumeImport extracts a tar archive into a volume.
func VolumeImport(rt *engine.Runtime, name string, r io.Reader) error {
	v, err := rt.LookupVolume(name)
	if err != nil {
		return err
	}
	return v.Import(r)
}

// VolumeMount mounts volumes for the user and returns their host paths.
func VolumeMount(rt *engine.Runtime, names []string) ([]string, error) {
	var out []string
	for _, n := range names {
		v, err := rt.LookupVolume(n)
		if err != nil {
			return out, err
		}
		p, err := v.Mount()
		if err != nil {
			return out, err
		}
		out = append(out, p)
	}
	return out, nil
}

// VolumeUnmount undoes VolumeMount.
func VolumeUnmount(rt *engine.Runtime, names []string) error {
	var errs []error
	for _, n := range names {
		v, err := rt.LookupVolume(n)
		if err == nil {
			err = v.Unmount()
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// VolumeExists reports whether a volume of that exact name exists.
func VolumeExists(rt *engine.Runtime, name string) (bool, error) {
	return rt.VolumeExists(name)
}
