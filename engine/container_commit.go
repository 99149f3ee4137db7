package engine

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/image"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
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
	if opts.IncludeVolumes || opts.Overlay != nil {
		cfg := *opts.Config
		if opts.IncludeVolumes && len(c.config.UserVolumes) > 0 {
			cfg.Volumes = maps.Clone(cfg.Volumes)
			if cfg.Volumes == nil {
				cfg.Volumes = map[string]struct{}{}
			}
			for _, v := range c.config.UserVolumes {
				cfg.Volumes[v] = struct{}{}
			}
		}
		if opts.Overlay != nil {
			overlayImageConfig(&cfg, opts.Overlay)
		}
		opts.Config = &cfg
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

// overlayImageConfig lays o over cfg, as commit --config merges a config
// file: Env and Labels by key, Volumes and ExposedPorts added, the other
// fields replaced when o sets them.
func overlayImageConfig(cfg, o *v1.ImageConfig) {
	for _, e := range o.Env {
		k, _, _ := strings.Cut(e, "=")
		cfg.Env = slices.DeleteFunc(slices.Clone(cfg.Env), func(x string) bool { return strings.HasPrefix(x, k+"=") })
		cfg.Env = append(cfg.Env, e)
	}
	if len(o.Labels) > 0 {
		cfg.Labels = maps.Clone(cfg.Labels)
		if cfg.Labels == nil {
			cfg.Labels = map[string]string{}
		}
		maps.Copy(cfg.Labels, o.Labels)
	}
	addSet := func(dst *map[string]struct{}, src map[string]struct{}) {
		if len(src) == 0 {
			return
		}
		*dst = maps.Clone(*dst)
		if *dst == nil {
			*dst = map[string]struct{}{}
		}
		maps.Copy(*dst, src)
	}
	addSet(&cfg.Volumes, o.Volumes)
	addSet(&cfg.ExposedPorts, o.ExposedPorts)
	if o.User != "" {
		cfg.User = o.User
	}
	if o.WorkingDir != "" {
		cfg.WorkingDir = o.WorkingDir
	}
	if o.StopSignal != "" {
		cfg.StopSignal = o.StopSignal
	}
	if len(o.Entrypoint) > 0 {
		cfg.Entrypoint = o.Entrypoint
	}
	if len(o.Cmd) > 0 {
		cfg.Cmd = o.Cmd
	}
}
