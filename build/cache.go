package build

import (
	"context"
	"fmt"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/image"
)

// lookupCache finds the image a step made before: a child of parent (nil
// for an empty scratch stage) whose last history entry is createdBy. The
// created_by text carries everything the step depends on besides its
// parent (the instruction with its values expanded, the build arguments
// in scope for RUN, the digest of what COPY and ADD copy), so parent plus
// created_by is the cache key. The newest match wins. A store that cannot
// be listed is a miss, not an error: the step simply runs. An image of
// the other manifest format (--format) is no match: every image of the
// build is written in the build's format.
func (b *builder) lookupCache(parent *define.Image, createdBy string) *define.Image {
	if b.cache == nil {
		list, err := b.images.ListWithoutSize()
		if err != nil {
			return nil
		}
		b.cache = append(make([]*define.Image, 0, len(list)+8), list...)
	}
	var best *define.Image
	want := image.ManifestMIMEType(b.opts.Format)
	for _, img := range b.cache {
		if img.ManifestType != want || len(img.History) == 0 || img.History[len(img.History)-1].CreatedBy != createdBy {
			continue
		}
		if !image.ChildOf(img, parent) {
			continue
		}
		if best == nil || img.Created.After(best.Created) {
			best = img
		}
	}
	return best
}

// imageCache finds the step in the history of the CacheImages, as
// docker's classic builder does with cachefrom: an image built on the
// step's parent whose next history entry is the step. When that entry is
// the image's last, the image itself is the step's; otherwise the step's
// image is restored from the image's first layers and history entries,
// with the step's config. An image that is not there is skipped, with a
// warning (dockerd's rule).
func (b *builder) imageCache(ctx context.Context, s *stageState, createdBy string) *define.Image {
	if !b.cacheLooked {
		b.cacheLooked = true
		for _, name := range b.opts.CacheImages {
			img, err := b.images.Lookup(name)
			if err != nil {
				fmt.Fprintf(b.out, "WARNING: cache source %s: %v: skipped\n", name, err)
				continue
			}
			b.cacheImages = append(b.cacheImages, img)
		}
	}
	n := 0
	if s.img != nil {
		n = len(s.img.History)
	}
	want := image.ManifestMIMEType(b.opts.Format)
	for _, c := range b.cacheImages {
		if len(c.History) <= n || c.History[n].CreatedBy != createdBy || !image.Descends(c, s.img) {
			continue
		}
		layers := 0
		for _, h := range c.History[:n+1] {
			if !h.EmptyLayer {
				layers++
			}
		}
		if layers > len(c.Layers) {
			continue
		}
		if len(c.History) == n+1 && layers == len(c.Layers) && c.ManifestType == want {
			return c
		}
		img, err := b.images.CommitConfig(ctx, image.ConfigCommit{Parent: c.ID, Config: s.cfg, Author: s.author,
			Format: b.opts.Format, NoHistory: true, Prefix: &image.Prefix{Layers: layers, History: n + 1}})
		if err != nil {
			fmt.Fprintf(b.out, "WARNING: cache source %s: %v\n", c.ID, err)
			continue
		}
		b.created = append(b.created, img.ID)
		return img
	}
	return nil
}
