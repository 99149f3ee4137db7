package engine

import (
	"strings"

	"context"
	"fmt"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
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
	store, err := c.rootfsStore()
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
	if _, err := c.rootfsStore(); err != nil {
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
	if opts.Config == nil {
		cfg, err := c.imageConfigLocked()
		if err != nil {
			return nil, err
		}
		opts.Config = cfg
	}
	img, err := images.Commit(ctx, c.config.ID, opts)
	if err != nil {
		return nil, err
	}
	c.runtime.event(define.Event{Type: "container", Status: "commit", ID: c.config.ID, Name: c.config.Name, Image: img.ID, Time: time.Now()})
	return img, nil
}

// imageConfigLocked is the container's configuration as an image config:
// what commit records so the new image runs like the container did.
func (c *Container) imageConfigLocked() (*v1.ImageConfig, error) {
	spec, err := c.runtime.state.ContainerSpec(c.config.ID)
	if err != nil {
		return nil, err
	}
	cfg := &v1.ImageConfig{
		User:         c.config.User,
		Entrypoint:   c.config.Entrypoint,
		Cmd:          c.config.Cmd,
		Labels:       c.config.Labels,
		ExposedPorts: c.config.Exposed,
	}
	if c.config.StopSignal != 0 && c.config.StopSignal != 15 {
		cfg.StopSignal = signalName(c.config.StopSignal)
	}
	if spec.Process != nil {
		cfg.WorkingDir = spec.Process.Cwd
		for _, e := range spec.Process.Env {
			// HOSTNAME belongs to this container, not to the image.
			if !strings.HasPrefix(e, "HOSTNAME=") {
				cfg.Env = append(cfg.Env, e)
			}
		}
	}
	return cfg, nil
}
