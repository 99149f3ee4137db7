package engine

import (
	"fmt"
	"sort"

	"github.com/berth-dev/berth/engine/define"
	estorage "github.com/berth-dev/berth/engine/storage"
	"go.podman.io/storage/pkg/archive"
)

// MountedImage is an image mounted by `image mount`.
type MountedImage struct {
	Image *define.Image
	Path  string
}

// MountImage mounts an image's root filesystem read-only and returns the
// image and its mountpoint. The storage library counts and locks mounts
// itself, so no engine lock is taken.
func (r *Runtime) MountImage(nameOrID string) (*define.Image, string, error) {
	img, store, err := r.lookupImageStore(nameOrID)
	if err != nil {
		return nil, "", err
	}
	if img.TopLayer == "" {
		return nil, "", fmt.Errorf("image %s has no layers to mount: %w", nameOrID, define.ErrInvalidArg)
	}
	mp, err := store.MountImage(img.ID)
	if err != nil {
		return nil, "", err
	}
	return img, mp, nil
}

// UnmountImage drops a mount of an image (force: every one) and returns
// the image.
func (r *Runtime) UnmountImage(nameOrID string, force bool) (*define.Image, error) {
	img, store, err := r.lookupImageStore(nameOrID)
	if err != nil {
		return nil, err
	}
	if store.ImageMountpoint(img.TopLayer) == "" {
		return nil, fmt.Errorf("image %s is not mounted: %w", nameOrID, define.ErrInvalidArg)
	}
	if _, err := store.UnmountImage(img.ID, force); err != nil {
		return nil, err
	}
	return img, nil
}

// MountedImages lists the images that are mounted.
func (r *Runtime) MountedImages() ([]MountedImage, error) {
	images, err := r.Images()
	if err != nil {
		return nil, err
	}
	list, err := images.ListWithoutSize()
	if err != nil {
		return nil, err
	}
	store, err := r.storage()
	if err != nil {
		return nil, err
	}
	var out []MountedImage
	for _, img := range list {
		if mp := store.ImageMountpoint(img.TopLayer); mp != "" {
			out = append(out, MountedImage{Image: img, Path: mp})
		}
	}
	return out, nil
}

// ImageChanges lists what an image's top layer changed relative to its
// parent layer, or, with other, what the image's changed relative to
// other's (`image diff`).
func (r *Runtime) ImageChanges(nameOrID, other string) ([]Change, error) {
	img, store, err := r.lookupImageStore(nameOrID)
	if err != nil {
		return nil, err
	}
	from := ""
	if other != "" {
		o, _, err := r.lookupImageStore(other)
		if err != nil {
			return nil, err
		}
		from = o.TopLayer
	}
	if img.TopLayer == "" {
		return nil, nil
	}
	chs, err := store.LayerChanges(from, img.TopLayer)
	if err != nil {
		return nil, err
	}
	return toChanges(chs), nil
}

func toChanges(chs []archive.Change) []Change {
	out := make([]Change, 0, len(chs))
	for _, ch := range chs {
		kind := "C"
		switch ch.Kind {
		case archive.ChangeAdd:
			kind = "A"
		case archive.ChangeDelete:
			kind = "D"
		}
		out = append(out, Change{Kind: kind, Path: ch.Path})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func (r *Runtime) lookupImageStore(nameOrID string) (*define.Image, *estorage.Store, error) {
	images, err := r.Images()
	if err != nil {
		return nil, nil, err
	}
	img, err := images.Lookup(nameOrID)
	if err != nil {
		return nil, nil, err
	}
	store, err := r.storage()
	if err != nil {
		return nil, nil, err
	}
	return img, store, nil
}
