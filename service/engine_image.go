package service

import (
	"context"

	"github.com/berth-dev/berth/engine/define"
)

// Images lists images.
func (e *LocalEngine) Images(context.Context) ([]*define.Image, error) { return Images(e.rt) }

// RemoveImage removes an image.
func (e *LocalEngine) RemoveImage(ctx context.Context, nameOrID string, force bool) (ImageRemoveReport, error) {
	return RemoveImage(ctx, e.rt, nameOrID, force)
}

// Pull pulls an image.
func (e *LocalEngine) Pull(ctx context.Context, name string, opts PullOptions) ([]*define.Image, error) {
	return Pull(ctx, e.rt, name, opts)
}
