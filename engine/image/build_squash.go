//go:build !berth_lean

package image

import (
	"context"
	"fmt"
	"time"

	"github.com/berth-dev/berth/engine/define"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	cstorage "go.podman.io/storage"
	"go.podman.io/storage/pkg/archive"
)

// SquashCommit is `build --squash`: the layers Top added on top of Base
// become one.
type SquashCommit struct {
	// Base is the image whose layers are kept ("" for none: every layer
	// of Top is squashed); Top is built on it.
	Base, Top string
	CreatedBy string
	Format    string
}

// CommitSquashed stores, dangling, an image of Base's layers plus one
// layer holding every change Top made to them (the storage driver's diff
// between the two top layers), with Top's config and Base's history plus
// one entry.
func (s *Service) CommitSquashed(ctx context.Context, c SquashCommit) (*define.Image, error) {
	tweaks, err := formatTweaks(c.Format)
	if err != nil {
		return nil, err
	}
	top, err := s.cs().Image(c.Top)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", c.Top, define.ErrNoSuchImage)
	}
	img, _, err := s.baseOf(c.Top)
	if err != nil {
		return nil, err
	}
	ext, err := s.ConfigExt(c.Top)
	if err != nil {
		return nil, err
	}
	layers := []v1.Descriptor{}
	img.RootFS.DiffIDs = nil
	img.History = nil
	from := ""
	if c.Base != "" {
		base, err := s.cs().Image(c.Base)
		if err != nil {
			return nil, fmt.Errorf("image %s: %w", c.Base, define.ErrNoSuchImage)
		}
		var bimg v1.Image
		if bimg, layers, err = s.baseOf(c.Base); err != nil {
			return nil, err
		}
		img.RootFS.DiffIDs, img.History = bimg.RootFS.DiffIDs, bimg.History
		from = base.TopLayer
	}
	l, err := newLayoutBuilder(s.opts.TmpDir)
	if err != nil {
		return nil, err
	}
	defer l.remove()
	uncompressed := archive.Uncompressed
	diff, err := s.cs().Diff(from, top.TopLayer, &cstorage.DiffOptions{Compression: &uncompressed})
	if err != nil {
		return nil, fmt.Errorf("squash: diff of %s: %w", c.Top, err)
	}
	diffID, size, err := l.putBlob(ctxReader{ctx, diff})
	diff.Close()
	if err != nil {
		return nil, fmt.Errorf("squash: %w", err)
	}
	now := time.Now().UTC()
	img.Created = &now
	img.RootFS.Type = "layers"
	img.RootFS.DiffIDs = append(img.RootFS.DiffIDs, diffID)
	img.History = append(img.History, v1.History{Created: &now, CreatedBy: c.CreatedBy})
	layers = append(layers, v1.Descriptor{MediaType: v1.MediaTypeImageLayer, Digest: diffID, Size: size})
	return s.storeBuilt(ctx, l, &img, &ext, layers, "", tweaks...)
}
