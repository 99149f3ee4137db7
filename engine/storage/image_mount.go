package storage

import (
	"fmt"

	"go.podman.io/storage/pkg/archive"
)

// MountImage mounts an image's root filesystem read-only (`image mount`)
// and returns the mountpoint; each call counts and needs an unmount.
func (s *Store) MountImage(id string) (string, error) {
	mp, err := s.store.MountImage(id, nil, "")
	if err != nil {
		return "", fmt.Errorf("mounting image %s: %w", id, err)
	}
	return mp, nil
}

// UnmountImage drops one mount of an image (force: all of them) and
// reports whether it is still mounted.
func (s *Store) UnmountImage(id string, force bool) (bool, error) {
	still, err := s.store.UnmountImage(id, force)
	if err != nil {
		return false, fmt.Errorf("unmounting image %s: %w", id, err)
	}
	return still, nil
}

// ImageMountpoint returns where an image's top layer is mounted, or ""
// when it is not.
func (s *Store) ImageMountpoint(topLayer string) string {
	if topLayer == "" {
		return ""
	}
	l, err := s.store.Layer(topLayer)
	if err != nil || l.MountCount == 0 {
		return ""
	}
	return l.MountPoint
}

// LayerChanges lists what layer to changed relative to layer from (its
// parent when from is empty), for `image diff`.
func (s *Store) LayerChanges(from, to string) ([]archive.Change, error) {
	ch, err := s.store.Changes(from, to)
	if err != nil {
		return nil, fmt.Errorf("layer %s changes: %w", to, err)
	}
	return ch, nil
}
