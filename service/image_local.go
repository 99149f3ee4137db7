package service

import (
	"context"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/image"
)

// Images lists the images in local storage, each with the number of
// containers made from it.
func Images(rt *engine.Runtime) ([]*define.Image, error) {
	images, err := rt.Images()
	if err != nil {
		return nil, err
	}
	list, err := images.List()
	if err != nil {
		return nil, err
	}
	ctrs, err := rt.Containers()
	if err != nil {
		return nil, err
	}
	uses := map[string]int{}
	for _, c := range ctrs {
		uses[c.Config().ImageID]++
	}
	for _, img := range list {
		img.Containers = uses[img.ID]
	}
	return list, nil
}

// LookupImage finds a local image by name, ID or ID prefix.
func LookupImage(rt *engine.Runtime, nameOrID string) (*define.Image, error) {
	images, err := rt.Images()
	if err != nil {
		return nil, err
	}
	return images.Lookup(nameOrID)
}

// History returns the layers of an image, newest first.
func History(rt *engine.Runtime, nameOrID string) ([]HistoryEntry, error) {
	images, err := rt.Images()
	if err != nil {
		return nil, err
	}
	return images.History(nameOrID)
}

// Tag adds each of names to an image; it stops at the first that fails.
func Tag(rt *engine.Runtime, nameOrID string, names []string) error {
	images, err := rt.Images()
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := images.Tag(nameOrID, n); err != nil {
			return err
		}
		imageEvent(rt, images, "tag", nameOrID, n)
	}
	return nil
}

// imageEvent logs an image event for the image nameOrID names now.
func imageEvent(rt *engine.Runtime, images *image.Service, status, nameOrID, name string) {
	if img, err := images.Lookup(nameOrID); err == nil {
		rt.ImageEvent(status, img.ID, name)
	}
}

// Untag removes names from an image (every name when names is empty).
func Untag(rt *engine.Runtime, nameOrID string, names []string) error {
	images, err := rt.Images()
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return images.Untag(nameOrID, "")
	}
	img, err := images.Lookup(nameOrID)
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := images.Untag(img.ID, n); err != nil {
			return err
		}
		rt.ImageEvent("untag", img.ID, n)
	}
	return nil
}

// RemoveImage removes one image (with force, also the containers using
// it) and reports what was untagged and deleted.
func RemoveImage(ctx context.Context, rt *engine.Runtime, nameOrID string, force bool) (ImageRemoveReport, error) {
	return rt.RemoveImage(ctx, nameOrID, force)
}

// PruneImages removes the images opts selects and returns their IDs.
func PruneImages(ctx context.Context, rt *engine.Runtime, opts ImagePruneOptions) ([]string, error) {
	return rt.PruneImages(ctx, opts)
}

// LayerTree returns an image's layers and the layers built on it.
func LayerTree(rt *engine.Runtime, nameOrID string) (*ImageTree, error) {
	images, err := rt.Images()
	if err != nil {
		return nil, err
	}
	return images.Tree(nameOrID)
}
