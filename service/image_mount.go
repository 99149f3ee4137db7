package service

import "github.com/berth-dev/berth/engine"

// MountedImage is an image mounted by `image mount`.
type MountedImage = engine.MountedImage

// ImageMount mounts images (all: every one) read-only and returns them
// with their mountpoints; the first failure stops it.
func ImageMount(rt *engine.Runtime, names []string, all bool) ([]MountedImage, error) {
	if all {
		list, err := Images(rt)
		if err != nil {
			return nil, err
		}
		names = names[:0]
		for _, img := range list {
			names = append(names, img.ID)
		}
	}
	var out []MountedImage
	for _, n := range names {
		img, mp, err := rt.MountImage(n)
		if err != nil {
			return out, err
		}
		out = append(out, MountedImage{Image: img, Path: mp})
	}
	return out, nil
}

// MountedImages lists the mounted images.
func MountedImages(rt *engine.Runtime) ([]MountedImage, error) { return rt.MountedImages() }

// ImageUnmount unmounts one image (force: every mount of it) and returns
// its ID.
func ImageUnmount(rt *engine.Runtime, name string, force bool) (string, error) {
	img, err := rt.UnmountImage(name, force)
	if err != nil {
		return "", err
	}
	return img.ID, nil
}

// ImageDiff lists what an image's top layer changed relative to its
// parent (or to other's top layer).
func ImageDiff(rt *engine.Runtime, name, other string) ([]Change, error) {
	return rt.ImageChanges(name, other)
}
