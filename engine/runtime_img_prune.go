package engine

import (
	"context"
	"errors"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/image"
	"golang.org/x/sys/unix"
)

// ImagePruneOptions configures PruneImages.
type ImagePruneOptions struct {
	// All prunes every image no container uses, not only dangling ones.
	All bool
	// Filter, when not nil, must accept an image for it to be pruned.
	Filter func(*define.Image) bool
}

// PruneImages removes dangling images (with All, every image) that no
// container uses, and returns their IDs. Images that another command
// starts using meanwhile are skipped, not an error.
func (r *Runtime) PruneImages(ctx context.Context, opts ImagePruneOptions) ([]string, error) {
	images, err := r.Images()
	if err != nil {
		return nil, err
	}
	list, err := images.List()
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, img := range list {
		if ctx.Err() != nil {
			return removed, ctx.Err()
		}
		if (!opts.All && !img.Dangling) || (opts.Filter != nil && !opts.Filter(img)) {
			continue
		}
		rep, err := r.pruneImage(images, img.ID)
		if err != nil {
			if errors.Is(err, define.ErrImageInUse) || errors.Is(err, define.ErrNoSuchImage) {
				continue
			}
			return removed, err
		}
		if rep.Deleted == "" {
			continue // used by a container
		}
		r.event(define.Event{Type: "image", Status: "remove", ID: rep.Deleted, Name: img.ID, Time: time.Now()})
		removed = append(removed, rep.Deleted)
	}
	return removed, nil
}

// pruneImage deletes image id unless a container in the database uses it
// (also one never started, which has no storage container yet), under
// the exclusive image-use lock so that no create picks it meanwhile. An
// empty report means it is in use.
func (r *Runtime) pruneImage(images *image.Service, id string) (image.RemoveReport, error) {
	release, err := r.imageUseLock(unix.LOCK_EX)
	if err != nil {
		return image.RemoveReport{}, err
	}
	defer release()
	users, err := r.ContainersUsingImage(id)
	if err != nil || len(users) > 0 {
		return image.RemoveReport{}, err
	}
	return images.RemoveUnused(id)
}
