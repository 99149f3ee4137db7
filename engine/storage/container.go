package storage

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/berth-dev/berth/engine/define"
	cstorage "go.podman.io/storage"
	"go.podman.io/storage/pkg/archive"
	"go.podman.io/storage/types"
)

// CreateContainer creates the read-write layer of a container on top of the
// image imageID (empty imageID gives an empty rootfs). The berth container
// ID is used as the storage ID so the two can never drift apart; name (the
// berth name, or the ID when empty) must be unique in the store. metadata is
// an opaque string stored with the container, for recovery tools.
//
// A volatile container (one removed when it exits, `--rm`) is recorded in
// the run root without fsyncs and its overlay is mounted "volatile", as
// podman does: it cannot outlive a reboot anyway, and a short run saves the
// durable writes of its record and layer on create and again on removal.
func (s *Store) CreateContainer(id, name, imageID, metadata string, volatile bool) (*cstorage.Container, error) {
	return s.createContainer(id, name, imageID, metadata, &cstorage.ContainerOptions{Volatile: volatile})
}

// CreateContainerWith is CreateContainer with per-container driver
// options (podman's run --storage-opt, e.g. overlay's size=), which the
// driver refuses when it cannot honour them.
func (s *Store) CreateContainerWith(id, name, imageID string, volatile bool, storageOpt map[string]string) (*cstorage.Container, error) {
	return s.createContainer(id, name, imageID, "", &cstorage.ContainerOptions{Volatile: volatile, StorageOpt: storageOpt})
}

func (s *Store) createContainer(id, name, imageID, metadata string, opts *cstorage.ContainerOptions) (*cstorage.Container, error) {
	names := []string{id}
	if name != "" {
		names = []string{name}
	}
	c, err := s.store.CreateContainer(id, names, imageID, "", metadata, opts)
	if err != nil {
		switch {
		case errors.Is(err, types.ErrDuplicateName):
			return nil, fmt.Errorf("storage container %s: name %q: %w", id, names[0], define.ErrNameInUse)
		case errors.Is(err, types.ErrDuplicateID):
			return nil, fmt.Errorf("storage container %s: %w", id, define.ErrCtrExists)
		case errors.Is(err, types.ErrImageUnknown):
			return nil, fmt.Errorf("storage container %s: image %s: %w", id, imageID, define.ErrNoSuchImage)
		}
		return nil, fmt.Errorf("creating storage container %s: %w", id, err)
	}
	return c, nil
}

// Container returns the storage record of container id (its layer, image
// and names). A missing container wraps define.ErrNoSuchCtr.
func (s *Store) Container(id string) (*cstorage.Container, error) {
	c, err := s.store.Container(id)
	if err != nil {
		return nil, ctrErr(id, err)
	}
	return c, nil
}

// Mount mounts the container's rootfs (or bumps its mount count) and
// returns the mount point. Every Mount must be paired with an Unmount.
func (s *Store) Mount(id string) (string, error) {
	mp, err := s.store.Mount(id, "")
	if err != nil {
		return "", fmt.Errorf("mounting container %s: %w", id, ctrErr(id, err))
	}
	return mp, nil
}

// Unmount drops one reference to the container's rootfs mount; the
// filesystem is really unmounted when the count reaches zero, or at once
// with force. Unmounting a rootfs that is not mounted is not an error.
func (s *Store) Unmount(id string, force bool) error {
	_, err := s.store.Unmount(id, force)
	if err != nil && !errors.Is(err, types.ErrLayerNotMounted) {
		return fmt.Errorf("unmounting container %s: %w", id, ctrErr(id, err))
	}
	return nil
}

// Mounted returns how many times the container's rootfs is mounted.
func (s *Store) Mounted(id string) (int, error) {
	c, err := s.store.Container(id)
	if err != nil {
		return 0, ctrErr(id, err)
	}
	n, err := s.store.Mounted(c.LayerID)
	if err != nil {
		return 0, fmt.Errorf("container %s mount count: %w", id, err)
	}
	return n, nil
}

// DeleteContainer unmounts and removes the container's layer and its
// directories. A container that is already gone is not an error, so that
// cleanup can be retried after a crash.
func (s *Store) DeleteContainer(id string) error {
	if _, err := s.store.Unmount(id, true); err != nil &&
		!errors.Is(err, types.ErrLayerNotMounted) && !errors.Is(err, types.ErrContainerUnknown) && !errors.Is(err, types.ErrLayerUnknown) {
		return fmt.Errorf("unmounting container %s: %w", id, err)
	}
	if err := s.store.DeleteContainer(id); err != nil && !errors.Is(err, types.ErrContainerUnknown) && !errors.Is(err, types.ErrNotAContainer) {
		return fmt.Errorf("deleting storage container %s: %w", id, err)
	}
	return nil
}

// ContainerDirs returns the container's per-container directories kept by
// storage: runDir on the run root (lost at reboot: pid files, sockets) and
// staticDir on the graph root (kept: config files, artifacts).
func (s *Store) ContainerDirs(id string) (runDir, staticDir string, err error) {
	runDir, err = s.store.ContainerRunDirectory(id)
	if err != nil {
		return "", "", ctrErr(id, err)
	}
	staticDir, err = s.store.ContainerDirectory(id)
	if err != nil {
		return "", "", ctrErr(id, err)
	}
	return runDir, staticDir, nil
}

// Changes lists what the container changed relative to its image, for
// `diff`.
func (s *Store) Changes(id string) ([]archive.Change, error) {
	c, err := s.store.Container(id)
	if err != nil {
		return nil, ctrErr(id, err)
	}
	ch, err := s.store.Changes("", c.LayerID)
	if err != nil {
		return nil, fmt.Errorf("container %s changes: %w", id, err)
	}
	return ch, nil
}

// ExportRootfs writes the container's whole root filesystem as an
// uncompressed tar stream to w, like `docker export`. The rootfs is mounted
// for the duration of the call.
func (s *Store) ExportRootfs(ctx context.Context, id string, w io.Writer) (retErr error) {
	mp, err := s.Mount(id)
	if err != nil {
		return err
	}
	defer func() {
		if err := s.Unmount(id, false); err != nil && retErr == nil {
			retErr = err
		}
	}()
	rc, err := archive.TarWithOptions(mp, &archive.TarOptions{Compression: archive.Uncompressed})
	if err != nil {
		return fmt.Errorf("exporting container %s: %w", id, err)
	}
	defer rc.Close()
	if _, err := io.Copy(w, ctxReader{ctx: ctx, r: rc}); err != nil {
		return fmt.Errorf("exporting container %s: %w", id, err)
	}
	return nil
}

// ContainerSize returns the size of what the container wrote (rw) and of
// its whole rootfs, image layers included (rootfs), for `ps -s`.
func (s *Store) ContainerSize(id string) (rw int64, rootfs int64, err error) {
	c, err := s.store.Container(id)
	if err != nil {
		return 0, 0, ctrErr(id, err)
	}
	rw, err = s.store.DiffSize("", c.LayerID)
	if err != nil {
		return 0, 0, fmt.Errorf("container %s size: %w", id, err)
	}
	rootfs = rw
	l, err := s.store.Layer(c.LayerID)
	if err != nil {
		return 0, 0, fmt.Errorf("container %s layer: %w", id, err)
	}
	for parent := l.Parent; parent != ""; {
		pl, err := s.store.Layer(parent)
		if err != nil {
			return 0, 0, fmt.Errorf("container %s layer %s: %w", id, parent, err)
		}
		size := pl.UncompressedSize
		if size <= 0 {
			if size, err = s.store.DiffSize(pl.Parent, pl.ID); err != nil {
				return 0, 0, fmt.Errorf("layer %s size: %w", pl.ID, err)
			}
		}
		rootfs += size
		parent = pl.Parent
	}
	return rw, rootfs, nil
}

// ctrErr maps storage's not-found errors to define.ErrNoSuchCtr. Callers
// pass container IDs, so an unknown layer also means an unknown container.
func ctrErr(id string, err error) error {
	if errors.Is(err, types.ErrContainerUnknown) || errors.Is(err, types.ErrNotAContainer) || errors.Is(err, types.ErrLayerUnknown) {
		return fmt.Errorf("storage container %s: %w", id, define.ErrNoSuchCtr)
	}
	return err
}

// ctxReader stops a long copy when its context is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
