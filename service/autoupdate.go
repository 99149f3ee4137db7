package service

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/image"
)

// Auto-update labels, podman's: the policy a container is created with,
// and the systemd unit it runs under (set by run when
// $PODMAN_SYSTEMD_UNIT is, as it is in every generated unit).
const (
	AutoUpdateLabel  = "io.containers.autoupdate"
	SystemdUnitLabel = "PODMAN_SYSTEMD_UNIT"
)

// AutoUpdateOptions are auto-update's flags and its service manager.
type AutoUpdateOptions struct {
	// DryRun only reports which units have updates ("pending").
	DryRun bool
	// Rollback restarts a unit that failed on its new image with the old
	// one again.
	Rollback bool
	// Registry says how to reach the registries.
	Registry image.RegistryOptions
	// Systemd restarts the units.
	Systemd Systemd
}

// AutoUpdateReport is one container's line of auto-update's output.
type AutoUpdateReport struct {
	Unit          string
	ContainerID   string
	ContainerName string
	Image         string
	Policy        string
	// Updated is "true", "false", "pending" (dry run), "rolled back" or
	// "failed".
	Updated string
}

// Container is podman's CONTAINER column: short ID and name.
func (r AutoUpdateReport) Container() string {
	id := r.ContainerID
	if len(id) > 12 {
		id = id[:12]
	}
	return fmt.Sprintf("%s (%s)", id, r.ContainerName)
}

// AutoUpdate updates the running containers that carry the auto-update
// label: with policy registry it pulls the image when the registry's
// manifest differs from the container's image, with policy local it
// compares with the local image of that name; when an update exists it
// restarts the container's systemd unit (which recreates the container
// from the new image). Errors of single containers are returned beside
// the reports of the others.
func AutoUpdate(ctx context.Context, rt *engine.Runtime, o AutoUpdateOptions) ([]AutoUpdateReport, []error) {
	ctrs, err := rt.ListContainers()
	if err != nil {
		return nil, []error{err}
	}
	images, err := rt.Images()
	if err != nil {
		return nil, []error{err}
	}
	var reports []AutoUpdateReport
	var errs []error
	restarted := map[string]string{} // unit -> result, one restart per unit
	for _, c := range ctrs {
		cfg := c.Config()
		policy, ok := cfg.Labels[AutoUpdateLabel]
		if !ok || policy == "" || policy == "disabled" {
			continue
		}
		if c.CachedState().Status != define.StatusRunning {
			continue
		}
		if policy == "image" {
			policy = "registry" // podman's old name
		}
		if policy != "registry" && policy != "local" {
			errs = append(errs, fmt.Errorf("auto-updating container %q: invalid auto-update policy %q: must be registry or local", cfg.ID, policy))
			continue
		}
		unit := cfg.Labels[SystemdUnitLabel]
		if unit == "" {
			errs = append(errs, fmt.Errorf("auto-updating container %q: no %s label found", cfg.ID, SystemdUnitLabel))
			continue
		}
		r := AutoUpdateReport{Unit: unit, ContainerID: cfg.ID, ContainerName: cfg.Name, Image: cfg.ImageName, Policy: policy, Updated: "false"}
		if prev, ok := restarted[unit]; ok {
			r.Updated = prev
			reports = append(reports, r)
			continue
		}
		avail, err := updateAvailable(ctx, images, cfg, policy, o.Registry)
		if err != nil {
			errs = append(errs, fmt.Errorf("auto-updating container %q: %w", cfg.ID, err))
			r.Updated = "failed"
			reports = append(reports, r)
			continue
		}
		switch {
		case !avail:
		case o.DryRun:
			r.Updated = "pending"
		default:
			r.Updated, err = updateUnit(ctx, rt, images, cfg, policy, unit, o)
			if err != nil {
				errs = append(errs, fmt.Errorf("auto-updating container %q: %w", cfg.ID, err))
			}
			restarted[unit] = r.Updated
		}
		reports = append(reports, r)
	}
	sort.SliceStable(reports, func(i, j int) bool { return reports[i].Unit < reports[j].Unit })
	return reports, errs
}

// registryName checks that a registry-policy image name says which
// registry to ask, as podman requires.
func registryName(name string) error {
	first, _, ok := strings.Cut(strings.TrimPrefix(name, "docker://"), "/")
	if !ok || (!strings.ContainsAny(first, ".:") && first != "localhost") {
		return fmt.Errorf("image name %q is not a fully-qualified image reference: auto updates require one", name)
	}
	return nil
}

// updateAvailable reports whether the container's image is out of date.
func updateAvailable(ctx context.Context, images *image.Service, cfg define.ContainerConfig, policy string, ro image.RegistryOptions) (bool, error) {
	if policy == "local" {
		img, err := images.Lookup(cfg.ImageName)
		if err != nil {
			return false, fmt.Errorf("looking up local image %s: %w", cfg.ImageName, err)
		}
		return img.ID != cfg.ImageID, nil
	}
	if err := registryName(cfg.ImageName); err != nil {
		return false, err
	}
	return images.RemoteDiffers(ctx, cfg.ImageName, cfg.ImageID, ro)
}

// updateUnit pulls (registry) and restarts the unit; on a failed restart
// with Rollback it gives the name back to the old image and restarts
// again.
func updateUnit(ctx context.Context, rt *engine.Runtime, images *image.Service, cfg define.ContainerConfig, policy, unit string, o AutoUpdateOptions) (string, error) {
	if policy == "registry" {
		if _, err := rt.PullImage(ctx, cfg.ImageName, image.PullOptions{RegistryOptions: o.Registry, Policy: image.PullAlways}); err != nil {
			return "failed", fmt.Errorf("pulling %s: %w", cfg.ImageName, err)
		}
	}
	err := o.Systemd.RestartUnit(ctx, unit)
	if err == nil {
		return "true", nil
	}
	if !o.Rollback {
		return "failed", fmt.Errorf("restarting unit %s: %w", unit, err)
	}
	if terr := images.Tag(cfg.ImageID, cfg.ImageName); terr != nil {
		return "failed", fmt.Errorf("restarting unit %s: %w; rolling back: %w", unit, err, terr)
	}
	if rerr := o.Systemd.RestartUnit(ctx, unit); rerr != nil {
		return "failed", fmt.Errorf("restarting unit %s: %w; restarting it on the old image: %w", unit, err, rerr)
	}
	return "rolled back", nil
}
