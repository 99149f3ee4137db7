package engine

import (
	"context"
	"errors"
	"time"

	"github.com/berth-dev/berth/engine/define"
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
		users, err := r.state.ContainersUsingImage(img.ID)
		if err != nil {
			return removed, err
		}
		if len(users) > 0 {
			continue
		}
		rep, err := images.RemoveUnused(img.ID)
		if err != nil {
			if errors.Is(err, define.ErrImageInUse) || errors.Is(err, define.ErrNoSuchImage) {
				continue
			}
			return removed, err
		}
		r.event(define.Event{Type: "image", Status: "remove", ID: rep.Deleted, Name: img.ID, Time: time.Now()})
		removed = append(removed, rep.Deleted)
	}
	return removed, nil
}
