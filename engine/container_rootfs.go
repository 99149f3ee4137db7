package engine

import (
	"errors"
	"fmt"

	"github.com/berth-dev/berth/engine/define"
	estorage "github.com/berth-dev/berth/engine/storage"
)

// The rootfs of an image container is created in storage on first need
// (start, mount, export, commit, diff, cp), not by create. containers/storage
// keeps every container in one JSON file that it rewrites on each new one,
// so creating it eagerly made `create` cost grow with the store; deferred,
// `create` is a database insert and stays flat however many containers
// exist.

// rootfsStore returns the storage with the container's rootfs created in
// it. Only image containers have one.
func (c *Container) rootfsStore() (*estorage.Store, error) {
	store, err := c.runtime.storage()
	if err != nil {
		return nil, err
	}
	if _, err := store.Container(c.config.ID); err == nil {
		return store, nil
	} else if !errors.Is(err, define.ErrNoSuchCtr) {
		return nil, err
	}
	if err := createRootfs(store, c.runtime, c.config); err != nil {
		if errors.Is(err, define.ErrCtrExists) {
			return store, nil // created by a concurrent command
		}
		return nil, fmt.Errorf("creating rootfs of container %s: %w", c.config.Name, err)
	}
	return store, nil
}

// hasRootfs reports whether the container's rootfs exists in storage yet.
func (c *Container) hasRootfs(store *estorage.Store) bool {
	_, err := store.Container(c.config.ID)
	return err == nil
}
