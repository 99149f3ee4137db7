package build

import (
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
