package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"go.podman.io/storage/pkg/idmap"
	"go.podman.io/storage/pkg/idtools"
)

// idmap bind mounts (-v SRC:DST:idmap) are made by berth, not by the OCI
// runtime (runc 1.1 has no idmapped mounts): at init the host source is
// mounted, idmapped to the container's user namespace maps, on a staging
// path under the container's run directory, and runc binds the staging
// path. On-disk ids are read through the container's maps, so what host
// root owns is the container root's and what the container's root
// writes lands as host root (podman's semantics). The staging mounts are
// unmounted at cleanup, at rm and when init fails.

// idmapDir holds the staging mounts of the current run.
func (c *Container) idmapDir() string { return filepath.Join(c.bundleDir(), "idmap") }

// idmapMountLocked replaces the stored idmap bind m (the n-th mount) by
// a bind of an idmapped mount of its source.
//
// Preconditions: c.lock is held; spec's id maps are filled in.
func (c *Container) idmapMountLocked(spec *specs.Spec, m *specs.Mount, n int) error {
	if spec.Linux == nil || len(spec.Linux.UIDMappings) == 0 || len(spec.Linux.GIDMappings) == 0 {
		return fmt.Errorf("container %s: mount %s: idmap needs a user namespace with id maps", c.config.Name, m.Destination)
	}
	st, err := os.Stat(m.Source)
	if err != nil {
		return fmt.Errorf("container %s: idmap mount %s: %w", c.config.Name, m.Destination, err)
	}
	if err := os.MkdirAll(c.idmapDir(), 0o700); err != nil {
		return err
	}
	target := filepath.Join(c.idmapDir(), strconv.Itoa(n))
	if !st.IsDir() {
		// A file is mounted on a file (CreateIDMappedMount makes a
		// directory only where nothing is).
		f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY, 0o600)
		if err != nil {
			return err
		}
		f.Close()
	}
	pid, kill, err := idmap.CreateUsernsProcess(toIDToolsMaps(spec.Linux.UIDMappings), toIDToolsMaps(spec.Linux.GIDMappings))
	if err != nil {
		return fmt.Errorf("container %s: idmap mount %s: making a user namespace: %w", c.config.Name, m.Destination, err)
	}
	err = idmap.CreateIDMappedMount(m.Source, target, pid)
	kill()
	if err != nil {
		_ = os.Remove(target)
		return fmt.Errorf("container %s: idmap mount %s: %w", c.config.Name, m.Destination, err)
	}
	m.Source = target
	m.Options = slices.DeleteFunc(slices.Clone(m.Options), func(o string) bool { return o == "idmap" })
	return nil
}

func toIDToolsMaps(ms []specs.LinuxIDMapping) []idtools.IDMap {
	out := make([]idtools.IDMap, 0, len(ms))
	for _, m := range ms {
		out = append(out, idtools.IDMap{ContainerID: int(m.ContainerID), HostID: int(m.HostID), Size: int(m.Size)})
	}
	return out
}

// unmountIDMaps unmounts the staging mounts and removes their (then
// empty) mount points. An error means one may still be mounted: the run
// directory must not be removed recursively then (it would reach into
// the host's directory).
func (c *Container) unmountIDMaps() error {
	ents, err := os.ReadDir(c.idmapDir())
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	var errs []error
	for _, e := range ents {
		p := filepath.Join(c.idmapDir(), e.Name())
		if err := unmountDetach(p); err != nil {
			errs = append(errs, fmt.Errorf("container %s: unmounting idmap mount %s: %w", c.config.Name, p, err))
			continue
		}
		// Remove, not RemoveAll: a mount point still mounted is busy.
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		_ = os.Remove(c.idmapDir())
	}
	return errors.Join(errs...)
}
