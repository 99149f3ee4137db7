// Package storage is berth's thin wrapper over go.podman.io/storage: it opens
// the layer/image/container store with the ecosystem's storage.conf rules and
// offers the few container-rootfs verbs the engine needs (create, mount,
// unmount, diff, export, size), so that no other package has to know the
// library's quirks (mount counts, not-found errors, shutdown semantics).
package storage

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	cstorage "go.podman.io/storage"
	"go.podman.io/storage/pkg/reexec"
	"go.podman.io/storage/types"
)

// Options selects where and how the store lives. Empty fields keep the value
// from storage.conf (or CONTAINERS_STORAGE_CONF), like every containers tool.
type Options struct {
	GraphRoot          string
	RunRoot            string
	GraphDriver        string
	GraphDriverOptions []string
	// TransientStore keeps container records on the run root.
	TransientStore bool
}

// Store is an open containers-storage store. It is safe for use by several
// goroutines; the library locks across processes itself.
type Store struct {
	store cstorage.Store
}

// Reexec must be called first thing in main (and in TestMain of packages
// that apply layers): the storage library re-executes the current binary
// for chrooted untar and overlay mounts, and those child invocations are
// dispatched here. It reports true when this process was such a child and
// has already done its work, in which case main must return at once.
func Reexec() bool {
	return reexec.Init()
}

// Open opens (creating if needed) the store described by opts. When no driver
// is configured anywhere it uses overlay, and falls back to vfs if the kernel
// or the backing filesystem cannot do overlay.
func Open(opts Options) (*Store, error) {
	so, err := cstorage.DefaultStoreOptions()
	if err != nil {
		return nil, fmt.Errorf("reading storage configuration: %w", err)
	}
	if opts.GraphRoot != "" {
		so.GraphRoot = opts.GraphRoot
	}
	if opts.RunRoot != "" {
		so.RunRoot = opts.RunRoot
	}
	if opts.GraphDriver != "" {
		so.GraphDriverName = opts.GraphDriver
		// Options configured for another driver would make this one fail.
		so.GraphDriverOptions = nil
	}
	if len(opts.GraphDriverOptions) > 0 {
		so.GraphDriverOptions = opts.GraphDriverOptions
	}
	if opts.TransientStore {
		so.TransientStore = true
	}
	if so.GraphDriverName != "" {
		s, err := cstorage.GetStore(so)
		if err != nil {
			return nil, fmt.Errorf("opening storage (driver %s): %w", so.GraphDriverName, err)
		}
		return &Store{store: s}, nil
	}
	so.GraphDriverName = "overlay"
	s, err := cstorage.GetStore(so)
	if err != nil {
		overlayErr := err
		so.GraphDriverName = "vfs"
		so.GraphDriverOptions = nil
		s, err = cstorage.GetStore(so)
		if err != nil {
			return nil, fmt.Errorf("opening storage: overlay: %v; vfs: %w", overlayErr, err)
		}
	}
	return &Store{store: s}, nil
}

// Storage returns the underlying containers-storage store, for engine/image
// which hands it to the containers-storage transport of image/v5.
func (s *Store) Storage() cstorage.Store { return s.store }

// GraphRoot is where layers, images and container layers are kept.
func (s *Store) GraphRoot() string { return s.store.GraphRoot() }

// RunRoot is the store's volatile directory (mount counts, per-container run
// directories); it is expected to be on a tmpfs.
func (s *Store) RunRoot() string { return s.store.RunRoot() }

// GraphDriverName is the driver actually in use (overlay, vfs, ...).
func (s *Store) GraphDriverName() string { return s.store.GraphDriverName() }

// GraphOptions returns the driver's options as KEY=VALUE, with a mount
// program the overlay driver picked by itself (fuse-overlayfs, where the
// kernel has no overlay in a user namespace) as overlay.mount_program.
func (s *Store) GraphOptions() []string {
	opts := slices.Clone(s.store.GraphOptions())
	if s.store.GraphDriverName() != "overlay" || slices.ContainsFunc(opts, func(o string) bool { return strings.Contains(o, "mount_program=") }) {
		return opts
	}
	// The driver's record of its choice (drivers/overlay's flag file).
	if flag, err := os.ReadFile(filepath.Join(s.store.GraphRoot(), "overlay", ".has-mount-program")); err == nil && strings.TrimSpace(string(flag)) == "true" {
		if path, err := exec.LookPath("fuse-overlayfs"); err == nil {
			opts = append(opts, "overlay.mount_program="+path)
		}
	}
	return opts
}

// GraphDriverStatus returns the driver's key/value status lines for `info`.
func (s *Store) GraphDriverStatus() ([][2]string, error) {
	d, err := s.store.GraphDriver()
	if err != nil {
		return nil, fmt.Errorf("graph driver: %w", err)
	}
	return d.Status(), nil
}

// Shutdown releases the store. Without force, layers still mounted by
// running containers stay mounted and are not an error: every CLI invocation
// shuts the store down while other containers keep running. With force,
// every mounted layer is unmounted.
func (s *Store) Shutdown(force bool) error {
	_, err := s.store.Shutdown(force)
	if err != nil && errors.Is(err, types.ErrLayerUsedByContainer) {
		if !force {
			return nil
		}
		// The library reports the layers it just force-unmounted and
		// skips the driver cleanup; a second pass finds none mounted
		// and releases the driver (its own mounts included).
		_, err = s.store.Shutdown(false)
	}
	if err != nil {
		return fmt.Errorf("shutting down storage: %w", err)
	}
	return nil
}
