//go:build !berth_lean

package image

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"go.podman.io/image/v5/copy"
	"go.podman.io/image/v5/manifest"

	"github.com/berth-dev/berth/engine/define"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/oci/layout"
	cstorage "go.podman.io/storage"
	"go.podman.io/storage/pkg/archive"
)

// Import turns a rootfs tarball (plain, gzip, bzip2, xz or zstd) into a
// one-layer image whose config comes from opts.Changes, and stores it.
func (s *Service) Import(ctx context.Context, r io.Reader, opts ImportOptions) (*define.Image, error) {
	var cfg v1.ImageConfig
	if err := ApplyChanges(&cfg, opts.Changes); err != nil {
		return nil, err
	}
	name, err := s.optionalName(opts.Reference)
	if err != nil {
		return nil, err
	}
	l, err := newLayoutBuilder(s.opts.TmpDir)
	if err != nil {
		return nil, err
	}
	defer l.remove()

	in, err := archive.DecompressStream(r)
	if err != nil {
		return nil, fmt.Errorf("import: reading archive: %w", err)
	}
	defer in.Close()
	diffID, size, err := l.putBlob(ctxReader{ctx, in})
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	now := time.Now().UTC()
	img := v1.Image{
		Created:  &now,
		Platform: v1.Platform{OS: orDefault(opts.OS, runtime.GOOS), Architecture: orDefault(opts.Arch, runtime.GOARCH)},
		Config:   cfg,
		RootFS:   v1.RootFS{Type: "layers", DiffIDs: []digest.Digest{diffID}},
		History:  []v1.History{{Created: &now, CreatedBy: "/bin/sh -c #(nop) ADD file:" + diffID.Encoded() + " in /", Comment: opts.Message}},
	}
	layers := []v1.Descriptor{{MediaType: v1.MediaTypeImageLayer, Digest: diffID, Size: size}}
	return s.storeBuilt(ctx, l, &img, nil, layers, name)
}

// Commit creates an image from a container: the base image's layers plus
// the container's changes as a new top layer, with the base config
// modified by opts. The caller pauses the container if it wants a
// consistent snapshot.
func (s *Service) Commit(ctx context.Context, containerStorageID string, opts CommitOptions) (*define.Image, error) {
	name, err := s.optionalName(opts.Reference)
	if err != nil {
		return nil, err
	}
	ctr, err := s.store.Container(containerStorageID)
	if err != nil {
		return nil, err
	}
	img := v1.Image{
		Platform: v1.Platform{OS: runtime.GOOS, Architecture: runtime.GOARCH},
		RootFS:   v1.RootFS{Type: "layers"},
	}
	var layers []v1.Descriptor
	if ctr.ImageID != "" {
		var err error
		if img, layers, err = s.baseOf(ctr.ImageID); err != nil {
			return nil, fmt.Errorf("commit: base %w", err)
		}
	}
	if opts.Config != nil {
		img.Config = *opts.Config
	}
	if err := ApplyChanges(&img.Config, opts.Changes); err != nil {
		return nil, err
	}
	tweaks, err := formatTweaks(opts.Format)
	if err != nil {
		return nil, err
	}

	l, err := newLayoutBuilder(s.opts.TmpDir)
	if err != nil {
		return nil, err
	}
	defer l.remove()
	uncompressed := archive.Uncompressed
	diff, err := s.cs().Diff("", ctr.LayerID, &cstorage.DiffOptions{Compression: &uncompressed})
	if err != nil {
		return nil, fmt.Errorf("commit: diff of container %s: %w", containerStorageID, err)
	}
	var layer io.Reader = ctxReader{ctx, diff}
	if len(opts.DropEmptyFiles) > 0 {
		layer = dropEmptyFiles(layer, opts.DropEmptyFiles)
	}
	diffID, size, err := l.putBlob(layer)
	diff.Close()
	if err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	now := time.Now().UTC()
	img.Created = &now
	if opts.Author != "" {
		img.Author = opts.Author
	}
	img.RootFS.Type = "layers"
	img.RootFS.DiffIDs = append(img.RootFS.DiffIDs, diffID)
	img.History = append(img.History, v1.History{Created: &now, Author: opts.Author, Comment: opts.Message, CreatedBy: opts.CreatedBy})
	layers = append(layers, v1.Descriptor{MediaType: v1.MediaTypeImageLayer, Digest: diffID, Size: size})
	return s.storeBuilt(ctx, l, &img, opts.ConfigExt, layers, name, tweaks...)
}

// formatTweaks are the copy options that write an image in format ("" or
// "oci": OCI manifests; "docker": docker schema2 ones).
func formatTweaks(format string) ([]func(*copy.Options), error) {
	switch format {
	case "", "oci":
		return nil, nil
	case "docker":
		return []func(*copy.Options){func(o *copy.Options) { o.ForceManifestMIMEType = manifest.DockerV2Schema2MediaType }}, nil
	}
	return nil, fmt.Errorf("unknown image format %q: must be oci or docker: %w", format, define.ErrInvalidArg)
}

// ManifestMIMEType is the manifest media type of images written in
// format (see formatTweaks).
func ManifestMIMEType(format string) string {
	if format == "docker" {
		return manifest.DockerV2Schema2MediaType
	}
	return v1.MediaTypeImageManifest
}

// layerDescriptor describes an existing layer by its diff ID. Its blob is
// not written to the layout: the containers-storage destination finds the
// layer by uncompressed digest and reuses it.
func (s *Service) layerDescriptor(diffID digest.Digest) (v1.Descriptor, error) {
	ls, err := s.cs().LayersByUncompressedDigest(diffID)
	if err != nil || len(ls) == 0 {
		return v1.Descriptor{}, fmt.Errorf("layer %s of base image: %w", diffID, err)
	}
	size := ls[0].UncompressedSize
	if size <= 0 {
		if size, err = s.cs().DiffSize(ls[0].Parent, ls[0].ID); err != nil {
			return v1.Descriptor{}, fmt.Errorf("layer %s size: %w", diffID, err)
		}
	}
	return v1.Descriptor{MediaType: v1.MediaTypeImageLayer, Digest: diffID, Size: size}, nil
}

// storeBuilt writes config and manifest into the layout and copies the
// image into storage, named name or dangling.
func (s *Service) storeBuilt(ctx context.Context, l *layoutBuilder, img *v1.Image, ext *dockerspec.DockerOCIImageConfigExt, layers []v1.Descriptor, name string, tweaks ...func(*copy.Options)) (*define.Image, error) {
	return s.storeAnnotated(ctx, l, img, ext, layers, name, nil, tweaks...)
}

// storeAnnotated is storeBuilt with annotations on the manifest.
func (s *Service) storeAnnotated(ctx context.Context, l *layoutBuilder, img *v1.Image, ext *dockerspec.DockerOCIImageConfigExt, layers []v1.Descriptor, name string, annotations map[string]string, tweaks ...func(*copy.Options)) (*define.Image, error) {
	var cfgJSON any = img
	if ext != nil {
		// docker's config fields (Healthcheck, OnBuild, Shell) that the
		// OCI config has no place for.
		cfgJSON = dockerspec.DockerOCIImage{Image: *img, Config: dockerspec.DockerOCIImageConfig{ImageConfig: img.Config, DockerOCIImageConfigExt: *ext}}
	}
	cfgDesc, err := l.putJSON(cfgJSON, v1.MediaTypeImageConfig)
	if err != nil {
		return nil, err
	}
	man := v1.Manifest{
		Versioned:   specs.Versioned{SchemaVersion: 2},
		MediaType:   v1.MediaTypeImageManifest,
		Config:      cfgDesc,
		Layers:      layers,
		Annotations: annotations,
	}
	if man.Layers == nil {
		man.Layers = []v1.Descriptor{}
	}
	manDesc, err := l.putJSON(man, v1.MediaTypeImageManifest)
	if err != nil {
		return nil, err
	}
	if err := l.writeIndex(manDesc); err != nil {
		return nil, err
	}
	src, err := layout.NewReference(l.dir, "")
	if err != nil {
		return nil, fmt.Errorf("layout reference: %w", err)
	}
	id := ""
	if name == "" {
		id = cfgDesc.Digest.Encoded()
	}
	dest, err := s.storageRef(name, id)
	if err != nil {
		return nil, err
	}
	if _, err := s.copyImage(ctx, dest, src, nil, nil, tweaks...); err != nil {
		return nil, err
	}
	return s.Lookup(cfgDesc.Digest.Encoded())
}

// optionalName normalizes a non-empty image name.
func (s *Service) optionalName(name string) (string, error) {
	if name == "" {
		return "", nil
	}
	return NormalizeName(name)
}

// layoutBuilder assembles a minimal OCI image layout in a temporary
// directory, the source from which images are copied into storage.
type layoutBuilder struct{ dir string }

func newLayoutBuilder(tmp string) (*layoutBuilder, error) {
	dir, err := os.MkdirTemp(tmp, "berth-layout-")
	if err != nil {
		return nil, fmt.Errorf("temporary layout: %w", err)
	}
	l := &layoutBuilder{dir: dir}
	if err := os.MkdirAll(filepath.Join(dir, "blobs", "sha256"), 0o700); err != nil {
		l.remove()
		return nil, fmt.Errorf("temporary layout: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, v1.ImageLayoutFile), []byte(`{"imageLayoutVersion":"1.0.0"}`), 0o600); err != nil {
		l.remove()
		return nil, fmt.Errorf("temporary layout: %w", err)
	}
	return l, nil
}

func (l *layoutBuilder) remove() { _ = os.RemoveAll(l.dir) }

// putBlob stores r as a blob and returns its digest and size.
func (l *layoutBuilder) putBlob(r io.Reader) (_ digest.Digest, _ int64, retErr error) {
	f, err := os.CreateTemp(l.dir, "blob-")
	if err != nil {
		return "", 0, fmt.Errorf("writing blob: %w", err)
	}
	defer func() {
		f.Close()
		if retErr != nil {
			os.Remove(f.Name())
		}
	}()
	dg := digest.Canonical.Digester()
	n, err := io.Copy(io.MultiWriter(f, dg.Hash()), r)
	if err != nil {
		return "", 0, fmt.Errorf("writing blob: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", 0, fmt.Errorf("writing blob: %w", err)
	}
	d := dg.Digest()
	if err := os.Rename(f.Name(), filepath.Join(l.dir, "blobs", "sha256", d.Encoded())); err != nil {
		return "", 0, fmt.Errorf("writing blob: %w", err)
	}
	return d, n, nil
}

func (l *layoutBuilder) putJSON(v any, mediaType string) (v1.Descriptor, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return v1.Descriptor{}, fmt.Errorf("encoding %s: %w", mediaType, err)
	}
	d := digest.FromBytes(b)
	if err := os.WriteFile(filepath.Join(l.dir, "blobs", "sha256", d.Encoded()), b, 0o600); err != nil {
		return v1.Descriptor{}, fmt.Errorf("writing %s: %w", mediaType, err)
	}
	return v1.Descriptor{MediaType: mediaType, Digest: d, Size: int64(len(b))}, nil
}

func (l *layoutBuilder) writeIndex(man v1.Descriptor) error {
	idx := v1.Index{
		Versioned: specs.Versioned{SchemaVersion: 2},
		MediaType: v1.MediaTypeImageIndex,
		Manifests: []v1.Descriptor{man},
	}
	b, err := json.Marshal(idx)
	if err != nil {
		return fmt.Errorf("encoding index: %w", err)
	}
	if err := os.WriteFile(filepath.Join(l.dir, v1.ImageIndexFile), b, 0o600); err != nil {
		return fmt.Errorf("writing index: %w", err)
	}
	return nil
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
