package engine

import (
	"context"
	"fmt"

	"github.com/berth-dev/berth/engine/define"
	"go.podman.io/storage/pkg/archive"
)

// Change is one path the container added (A), changed (C) or deleted (D)
// relative to its image.
type Change struct {
	Kind string // "A", "C" or "D"
	Path string
}

// Changes lists what the container's writable layer changed relative to
// its image, sorted by path, like `podman diff`. No lock is needed: the
// storage library locks its layers itself.
func (c *Container) Changes(ctx context.Context) ([]Change, error) {
	if c.config.ImageID == "" {
		return nil, fmt.Errorf("container %s has no image (it runs from a host directory): nothing to compare: %w", c.config.Name, define.ErrInvalidArg)
	}
	store, err := c.runtime.storage()
	if err != nil {
		return nil, err
	}
	if !c.hasRootfs(store) {
		return nil, nil // never started nor mounted: no changes yet
	}
	chs, err := store.Changes(c.config.ID)
	if err != nil {
		return nil, err
	}
	// Mount points the runtime had to create (the generated /etc files,
	// volume targets) are not the user's changes; podman hides them too.
	mountpoints := map[string]bool{}
	if spec, err := c.runtime.state.ContainerSpec(c.config.ID); err == nil {
		for _, m := range spec.Mounts {
			mountpoints[m.Destination] = true
		}
	}
	for _, p := range []string{"/etc/hosts", "/etc/hostname", "/etc/resolv.conf"} {
		mountpoints[p] = true
	}
	kept := chs[:0]
	for _, ch := range chs {
		if ch.Kind == archive.ChangeAdd && mountpoints[ch.Path] {
			continue
		}
		kept = append(kept, ch)
	}
	return toChanges(kept), nil
}
