// Package image handles images for berth on top of go.podman.io/image/v5 and
// the store of engine/storage: import of rootfs tarballs, commit of
// container changes, save/load of docker and OCI archives, and the local
// image list with podman's name resolution rules.
package image

import (
	"errors"
	"path/filepath"

	bstorage "github.com/berth-dev/berth/engine/storage"
	cstorage "go.podman.io/storage"
)

// Options configures how images are read and written. Zero values use the
// system defaults of the containers ecosystem.
type Options struct {
	// SignaturePolicyPath is the policy.json to enforce. When empty and
	// /etc/containers/policy.json does not exist, every image is accepted:
	// berth must work offline on hosts without the containers-common files.
	SignaturePolicyPath string
	// RegistriesConf overrides registries.conf (short names, mirrors).
	RegistriesConf string
	// TmpDir holds temporary archives and layouts; default /var/tmp, as
	// images can be much larger than a tmpfs.
	TmpDir string
	// BlobInfoCacheDir holds the cache of which blobs a registry already
	// has; empty uses the store's graph root, so that a test or user with
	// its own --root never writes to /var/lib/containers.
	BlobInfoCacheDir string
}

// ErrNeedsFull is what the lean build (tag berth_lean) returns for work
// that needs image/v5's copy machinery; the lean CLI then runs the same
// command line with the complete binary. The full build never returns it.
var ErrNeedsFull = errors.New("this needs the complete berth binary (berth-full)")

// Service is the image API of the engine over one store.
type Service struct {
	store *bstorage.Store
	opts  Options
}

// New returns a Service over store.
func New(store *bstorage.Store, opts Options) *Service {
	if opts.TmpDir == "" {
		opts.TmpDir = "/var/tmp"
	}
	if opts.BlobInfoCacheDir == "" {
		opts.BlobInfoCacheDir = filepath.Join(store.Storage().GraphRoot(), "cache")
	}
	return &Service{store: store, opts: opts}
}

func (s *Service) cs() cstorage.Store { return s.store.Storage() }
