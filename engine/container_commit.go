package engine

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/image"
)

// Export writes the container's rootfs as a tar stream.
func (c *Container) Export(ctx context.Context, w io.Writer) error {
	if c.config.ImageID == "" {
		return fmt.Errorf("container %s has no image rootfs to export: %w", c.config.Name, define.ErrInvalidArg)
	}
	if err := c.lockSync(); err != nil {
		return err
	}
	defer c.lock.Unlock()
	store, err := c.runtime.storage()
	if err != nil {
		return err
	}
	return store.ExportRootfs(ctx, c.config.ID, w)
}

// Commit makes a new image from the container's changes on top of its
// image. With pause, a running container is frozen meanwhile so the
// snapshot is consistent.
func (c *Container) Commit(ctx context.Context, opts image.CommitOptions, pause bool) (*define.Image, error) {
	if c.config.ImageID == "" {
		return nil, fmt.Errorf("container %s has no image rootfs to commit: %w", c.config.Name, define.ErrInvalidArg)
	}
	if err := c.lockSync(); err != nil {
		return nil, err
	}
	defer c.lock.Unlock()
	images, err := c.runtime.Images()
	if err != nil {
		return nil, err
	}
	if pause && c.state.Status == define.StatusRunning {
		rt, err := c.runtime.ociRuntimeFor(c.config.OCIRuntime)
		if err != nil {
			return nil, err
		}
		if err := rt.PauseContainer(ctx, c.config.ID); err != nil {
			return nil, err
		}
		defer rt.ResumeContainer(context.WithoutCancel(ctx), c.config.ID)
	}
	img, err := images.Commit(ctx, c.config.ID, opts)
	if err != nil {
		return nil, err
	}
	c.runtime.event(define.Event{Type: "container", Status: "commit", ID: c.config.ID, Name: c.config.Name, Image: img.ID, Time: time.Now()})
	return img, nil
}
