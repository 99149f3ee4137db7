package build

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/image"
	"go.podman.io/image/v5/docker/reference"
)

// cachePush is a step's image and its key in the --cache-to repositories.
type cachePush struct {
	key string
	img *define.Image
}

// checkCacheRepos validates --cache-from and --cache-to: repositories
// (no tag, no digest) whose tags are step cache keys, as podman uses
// them.
func checkCacheRepos(repos []string, flag string) ([]string, error) {
	var out []string
	for _, r := range repos {
		n, err := reference.ParseNormalizedNamed(r)
		if err != nil {
			return nil, fmt.Errorf("invalid %s %q: %v: %w", flag, r, err, define.ErrInvalidArg)
		}
		if _, ok := n.(reference.NamedTagged); ok {
			return nil, fmt.Errorf("invalid %s %q: a repository without a tag is expected (the tags are cache keys): %w", flag, r, define.ErrInvalidArg)
		}
		if _, ok := n.(reference.Digested); ok {
			return nil, fmt.Errorf("invalid %s %q: a repository without a digest is expected: %w", flag, r, define.ErrInvalidArg)
		}
		out = append(out, n.Name())
	}
	return out, nil
}

// cacheKey names a step in a cache repository: its parent image, its
// history text and the build's format, which together are the local
// cache's match too.
func (b *builder) cacheKey(parent *define.Image, createdBy string) string {
	p := ""
	if parent != nil {
		p = parent.ID
	}
	h := sha256.Sum256([]byte(p + "\n" + image.ManifestMIMEType(b.opts.Format) + "\n" + createdBy))
	return hex.EncodeToString(h[:])
}

// remoteCache looks a step up in the --cache-from repositories: the image
// tagged with its key is pulled (quietly), untagged, and used when it is
// what the step would make (a child of parent by createdBy). A
// repository that cannot be reached is a miss.
func (b *builder) remoteCache(ctx context.Context, parent *define.Image, createdBy string) *define.Image {
	key := b.cacheKey(parent, createdBy)
	for _, repo := range b.opts.CacheFrom {
		ref := repo + ":" + key
		ro := b.opts.Registry
		if b.opts.LoopbackInsecure {
			ro.LoopbackInsecure(ref)
		}
		imgs, err := b.rt.PullImage(ctx, ref, image.PullOptions{RegistryOptions: ro, Policy: image.PullMissing})
		if err != nil || len(imgs) == 0 {
			continue
		}
		_ = b.images.Untag(imgs[0].ID, ref)
		img, err := b.images.Lookup(imgs[0].ID)
		if err != nil || len(img.History) == 0 || img.History[len(img.History)-1].CreatedBy != createdBy ||
			!image.ChildOf(img, parent) || img.ManifestType != image.ManifestMIMEType(b.opts.Format) {
			continue
		}
		return img
	}
	return nil
}

// pushCache pushes a step's new image to the --cache-to repositories,
// tagged with its key. A failed push fails the build: the user asked for
// the cache to be written.
func (b *builder) pushCache(ctx context.Context, key string, img *define.Image) error {
	for _, repo := range b.opts.CacheTo {
		ref := repo + ":" + key
		ro := b.opts.Registry
		if b.opts.LoopbackInsecure {
			ro.LoopbackInsecure(ref)
		}
		if _, err := b.rt.PushImage(ctx, img.ID, ref, image.PushOptions{RegistryOptions: ro}); err != nil {
			return fmt.Errorf("--cache-to %s: %w", repo, err)
		}
	}
	return nil
}
