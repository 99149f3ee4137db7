package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/rootcopy"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Image mounts (podman's --mount type=image) give a container another
// image's root filesystem. The image is resolved to its ID at create, so
// the container keeps using it (rmi refuses it, as for the container's
// own image); its layers are mounted through the storage library at every
// init, which counts the mounts, and unmounted at cleanup with the
// container's volumes.

// resolveImageMounts records the ID of each image mount's image.
func (r *Runtime) resolveImageMounts(cfg *define.ContainerConfig) error {
	for i := range cfg.ImageMounts {
		im := &cfg.ImageMounts[i]
		img, _, err := r.lookupImageStore(im.Source)
		if err != nil {
			return fmt.Errorf("image mount %s: %w", im.Dest, err)
		}
		if img.TopLayer == "" {
			return fmt.Errorf("image mount %s: image %s has no layers to mount: %w", im.Dest, im.Source, define.ErrInvalidArg)
		}
		im.ImageID = img.ID
	}
	return nil
}

// imageMountUsers returns the containers that mount image id with
// --mount type=image.
func (r *Runtime) imageMountUsers(id string) ([]string, error) {
	recs, err := r.state.Containers()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, rec := range recs {
		if slices.ContainsFunc(rec.Config.ImageMounts, func(m define.ImageMount) bool { return m.ImageID == id }) {
			out = append(out, rec.Config.ID)
		}
	}
	return out, nil
}

// mountImagesLocked mounts the container's image mounts and adds them to
// spec: a read-only bind of the image's root (or SubPath), or with
// ReadWrite an overlay over it whose upper directory the container's
// cleanup throws away.
//
// Preconditions: c.lock is held; on error the caller unmounts
// (unmountVolumesLocked).
func (c *Container) mountImagesLocked(spec *specs.Spec) error {
	if len(c.config.ImageMounts) == 0 {
		return nil
	}
	store, err := c.runtime.storage()
	if err != nil {
		return err
	}
	for _, im := range c.config.ImageMounts {
		mp, err := store.MountImage(im.ImageID)
		if err != nil {
			return fmt.Errorf("container %s: image mount %s: %w", c.config.Name, im.Dest, err)
		}
		c.state.MountedImages = append(c.state.MountedImages, im.ImageID)
		src := mp
		if im.SubPath != "" {
			// Symlinks of the image resolve inside it.
			root, err := rootcopy.Open(mp)
			if err != nil {
				return err
			}
			rel, err := root.Resolve(im.SubPath)
			root.Close()
			if err != nil {
				return fmt.Errorf("container %s: image mount %s: subpath %s: %w", c.config.Name, im.Dest, im.SubPath, err)
			}
			src = filepath.Join(mp, rel)
			if _, err := os.Stat(src); err != nil {
				return fmt.Errorf("container %s: image mount %s: subpath %s does not exist in image %s: %w", c.config.Name, im.Dest, im.SubPath, im.Source, define.ErrInvalidArg)
			}
		}
		if im.ReadWrite {
			m, err := c.overlayMountLocked(src, im.Dest, nil)
			if err != nil {
				return err
			}
			spec.Mounts = append(spec.Mounts, m)
			continue
		}
		spec.Mounts = append(spec.Mounts, BindMount(src, im.Dest, []string{"ro", "nosuid", "nodev"}))
	}
	return nil
}

// unmountImagesLocked drops the image mounts this container's run made.
// Errors are warnings: the container's own cleanup goes on.
//
// Preconditions: c.lock is held.
func (c *Container) unmountImagesLocked() {
	if len(c.state.MountedImages) == 0 {
		return
	}
	store, err := c.runtime.storage()
	if err != nil {
		warnf("container %s: unmounting images: %v", c.config.Name, err)
		return
	}
	for _, id := range c.state.MountedImages {
		if _, err := store.UnmountImage(id, false); err != nil {
			warnf("container %s: unmounting image %s: %v", c.config.Name, id, err)
		}
	}
	c.state.MountedImages = nil
}
