//go:build !berth_lean

package image

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"path"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine/define"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// ConfigCommit is a build step that changes only the config (ENV, LABEL,
// CMD...): the parent's layers, a new config and one more history entry
// that adds no layer.
type ConfigCommit struct {
	// Parent is the image the step starts from; "" is an image of no
	// layers (FROM scratch).
	Parent    string
	Config    dockerspec.DockerOCIImageConfig
	CreatedBy string
	// Author, when set, replaces the parent's (MAINTAINER).
	Author string
	// Format is the manifest format ("" or "oci", "docker").
	Format string
	// Annotations are set on the manifest (OCI format only).
	Annotations map[string]string
	// NoHistory adds no history entry: the image is the parent with a new
	// creation time, written again (in another Format).
	NoHistory bool
	// Prefix, with NoHistory, keeps only the parent's first layers and
	// history entries: an earlier step of the parent's build, restored
	// with Config (the docker API's cachefrom images).
	Prefix *Prefix
}

// Prefix is how much of an image ConfigCommit keeps.
type Prefix struct{ Layers, History int }

// CommitConfig stores the image of a config-only build step, dangling.
func (s *Service) CommitConfig(ctx context.Context, c ConfigCommit) (*define.Image, error) {
	tweaks, err := formatTweaks(c.Format)
	if err != nil {
		return nil, err
	}
	img := v1.Image{
		Platform: v1.Platform{OS: runtime.GOOS, Architecture: runtime.GOARCH},
		RootFS:   v1.RootFS{Type: "layers"},
	}
	layers := []v1.Descriptor{}
	if c.Parent != "" {
		if img, layers, err = s.baseOf(c.Parent); err != nil {
			return nil, err
		}
	}
	if p := c.Prefix; p != nil {
		if p.Layers > len(layers) || p.Layers > len(img.RootFS.DiffIDs) || p.History > len(img.History) {
			return nil, fmt.Errorf("image %s has fewer layers or history entries than asked", c.Parent)
		}
		layers, img.RootFS.DiffIDs, img.History = layers[:p.Layers], img.RootFS.DiffIDs[:p.Layers], img.History[:p.History]
	}
	now := time.Now().UTC()
	img.Created = &now
	img.Config = c.Config.ImageConfig
	if c.Author != "" {
		img.Author = c.Author
	}
	img.RootFS.Type = "layers"
	if !c.NoHistory {
		img.History = append(img.History, v1.History{Created: &now, CreatedBy: c.CreatedBy, EmptyLayer: true})
	}
	l, err := newLayoutBuilder(s.opts.TmpDir)
	if err != nil {
		return nil, err
	}
	defer l.remove()
	return s.storeAnnotated(ctx, l, &img, &c.Config.DockerOCIImageConfigExt, layers, "", c.Annotations, tweaks...)
}

// dropEmptyFiles copies a layer tar stream without the entries named in
// drop that are empty regular files.
func dropEmptyFiles(r io.Reader, drop []string) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		tr, tw := tar.NewReader(r), tar.NewWriter(pw)
		err := func() error {
			for {
				h, err := tr.Next()
				if err == io.EOF {
					return tw.Close()
				}
				if err != nil {
					return err
				}
				name := strings.TrimPrefix(path.Clean("/"+h.Name), "/")
				if h.Typeflag == tar.TypeReg && h.Size == 0 && slices.Contains(drop, name) {
					continue
				}
				if err := tw.WriteHeader(h); err != nil {
					return err
				}
				if _, err := io.Copy(tw, tr); err != nil {
					return err
				}
			}
		}()
		pw.CloseWithError(err)
	}()
	return pr
}

// baseOf reads the OCI config and layer descriptors of the image id, the
// base a commit or a build step adds its layer to.
func (s *Service) baseOf(id string) (v1.Image, []v1.Descriptor, error) {
	base, err := s.cs().Image(id)
	if err != nil {
		return v1.Image{}, nil, fmt.Errorf("image %s: %w", id, define.ErrNoSuchImage)
	}
	_, _, cfg, err := s.manifestAndConfig(base)
	if err != nil {
		return v1.Image{}, nil, err
	}
	layers := []v1.Descriptor{}
	for _, d := range cfg.RootFS.DiffIDs {
		desc, err := s.layerDescriptor(d)
		if err != nil {
			return v1.Image{}, nil, err
		}
		layers = append(layers, desc)
	}
	return cfg.Image, layers, nil
}
