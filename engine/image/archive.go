//go:build !berth_lean

package image

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/directory"
	dockerarchive "go.podman.io/image/v5/docker/archive"
	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/manifest"
	ociarchive "go.podman.io/image/v5/oci/archive"
	"go.podman.io/image/v5/oci/layout"
	"go.podman.io/image/v5/types"
	"go.podman.io/storage/pkg/archive"
)

// Save writes the images refs to an archive. docker-archive can hold
// several images with all their tags: an image named by the user is saved
// under that name, one given by ID under all its names. The other formats
// hold one image.
func (s *Service) Save(ctx context.Context, refs []string, opts SaveOptions) (retErr error) {
	if len(refs) == 0 {
		return fmt.Errorf("save: no image given: %w", define.ErrInvalidArg)
	}
	format := orDefault(opts.Format, FormatDockerArchive)
	switch format {
	case FormatDockerArchive, FormatOCIArchive, FormatOCIDir, FormatDockerDir:
	default:
		return fmt.Errorf("save: unknown format %q (want docker-archive, oci-archive, oci-dir or docker-dir): %w", format, define.ErrInvalidArg)
	}
	if format == FormatDockerDir && len(refs) > 1 {
		return fmt.Errorf("save: format %s holds a single image, use docker-archive, oci-archive or oci-dir for several: %w", format, define.ErrInvalidArg)
	}
	out := opts.Output
	if out == "" {
		if format == FormatOCIDir || format == FormatDockerDir {
			return fmt.Errorf("save: format %s needs an output directory: %w", format, define.ErrInvalidArg)
		}
		f, err := os.CreateTemp(s.opts.TmpDir, "berth-save-")
		if err != nil {
			return fmt.Errorf("save: %w", err)
		}
		out = f.Name()
		f.Close()
		defer os.Remove(out)
		if err := os.Remove(out); err != nil {
			return fmt.Errorf("save: %w", err)
		}
	} else if st, err := os.Stat(out); err == nil && st.Mode().IsRegular() {
		if err := os.Remove(out); err != nil {
			return fmt.Errorf("save: %w", err)
		}
	}
	defer func() {
		if retErr != nil && opts.Output != "" && (format == FormatDockerArchive || format == FormatOCIArchive) {
			os.Remove(out)
		}
	}()

	var err error
	switch {
	case format == FormatDockerArchive:
		err = s.saveDockerArchive(ctx, out, refs, opts.ReportWriter)
	case len(refs) > 1:
		err = s.saveOCIMulti(ctx, out, refs, format, opts.ReportWriter)
	default:
		err = s.saveOne(ctx, out, refs[0], format, opts.ReportWriter)
	}
	if err != nil {
		return fmt.Errorf("save: %w", err)
	}
	if opts.Output == "" {
		f, err := os.Open(out)
		if err != nil {
			return fmt.Errorf("save: %w", err)
		}
		defer f.Close()
		if _, err := io.Copy(opts.Writer, ctxReader{ctx, f}); err != nil {
			return fmt.Errorf("save: writing archive: %w", err)
		}
	}
	return nil
}

func (s *Service) saveDockerArchive(ctx context.Context, path string, refs []string, report io.Writer) (retErr error) {
	w, err := dockerarchive.NewWriter(s.systemContext(), path)
	if err != nil {
		return err
	}
	defer func() {
		if err := w.Close(); err != nil && retErr == nil {
			retErr = err
		}
	}()
	// Group by image: the same image named twice is written once with
	// all the requested tags.
	var (
		order []string
		tags  = map[string][]reference.NamedTagged{}
	)
	for _, r := range refs {
		img, matched, err := s.resolve(r)
		if err != nil {
			return err
		}
		if _, ok := tags[img.ID]; !ok {
			order = append(order, img.ID)
			tags[img.ID] = nil
		}
		names := img.Names
		if matched != "" {
			names = []string{matched}
		}
		for _, n := range names {
			nt, ok := namedOrNil(n).(reference.NamedTagged)
			if ok && !slices.ContainsFunc(tags[img.ID], func(x reference.NamedTagged) bool { return x.String() == nt.String() }) {
				tags[img.ID] = append(tags[img.ID], nt)
			}
		}
	}
	for _, id := range order {
		// One copy per image: extra tags go through the destination's
		// system context, as a second copy of the same image into the
		// archive would not find its config again.
		var first reference.NamedTagged
		destSys := s.systemContext()
		if t := tags[id]; len(t) > 0 {
			first, destSys.DockerArchiveAdditionalTags = t[0], t[1:]
		}
		src, err := s.storageRef("", id)
		if err != nil {
			return err
		}
		dest, err := w.NewReference(first)
		if err != nil {
			return err
		}
		if _, err := s.copyImage(ctx, dest, src, report, destSys); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) saveOne(ctx context.Context, path, r, format string, report io.Writer) error {
	img, matched, err := s.resolve(r)
	if err != nil {
		return err
	}
	name := matched
	if name == "" && len(img.Names) > 0 {
		name = img.Names[0]
	}
	var dest types.ImageReference
	switch format {
	case FormatOCIArchive:
		dest, err = ociarchive.NewReference(path, name)
	case FormatOCIDir:
		dest, err = layout.NewReference(path, name)
	case FormatDockerDir:
		dest, err = directory.NewReference(path)
	}
	if err != nil {
		return err
	}
	src, err := s.storageRef("", img.ID)
	if err != nil {
		return err
	}
	_, err = s.copyImage(ctx, dest, src, report, nil)
	return err
}

// Load reads a docker-archive or oci-archive (the format is detected, the
// archive may be compressed) and stores its images. It returns what was
// loaded: the names, or "sha256:ID" for an image without a name.
func (s *Service) Load(ctx context.Context, opts LoadOptions) ([]string, error) {
	path := opts.Input
	if path == "" {
		if opts.Reader == nil {
			return nil, fmt.Errorf("load: no input: %w", define.ErrInvalidArg)
		}
		f, err := os.CreateTemp(s.opts.TmpDir, "berth-load-")
		if err != nil {
			return nil, fmt.Errorf("load: %w", err)
		}
		defer os.Remove(f.Name())
		_, err = io.Copy(f, ctxReader{ctx, opts.Reader})
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("load: reading input: %w", err)
		}
		path = f.Name()
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		loaded, err := s.loadDir(ctx, path, opts.ReportWriter)
		if err != nil {
			return nil, fmt.Errorf("load %s: %w", path, err)
		}
		return loaded, nil
	}
	kind, index, err := detectArchive(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", opts.Input, err)
	}
	var loaded []string
	if kind == FormatDockerArchive {
		loaded, err = s.loadDockerArchive(ctx, path, opts.ReportWriter)
	} else {
		loaded, err = s.loadOCIArchive(ctx, path, index, opts.ReportWriter)
	}
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	return loaded, nil
}

func (s *Service) loadDockerArchive(ctx context.Context, path string, report io.Writer) ([]string, error) {
	r, err := dockerarchive.NewReader(s.systemContext(), path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	images, err := r.List()
	if err != nil {
		return nil, err
	}
	var loaded []string
	for _, refs := range images {
		var names []string
		for _, ref := range refs {
			if named := ref.DockerReference(); named != nil {
				names = append(names, named.String())
			}
		}
		got, err := s.loadImage(ctx, refs[0], names, report)
		if err != nil {
			return nil, err
		}
		loaded = append(loaded, got...)
	}
	return loaded, nil
}

func (s *Service) loadOCIArchive(ctx context.Context, path string, index *v1.Index, report io.Writer) ([]string, error) {
	if index == nil || len(index.Manifests) == 0 {
		return nil, errors.New("oci-archive has no image")
	}
	var loaded []string
	for _, m := range index.Manifests {
		annot := m.Annotations[v1.AnnotationRefName]
		sel := annot
		if len(index.Manifests) == 1 {
			sel = ""
		} else if sel == "" {
			return s.loadOCIArchiveAll(ctx, path, index, report)
		}
		src, err := ociarchive.NewReference(path, sel)
		if err != nil {
			return nil, err
		}
		var names []string
		// ref.name is either a full image name (podman, buildah) or just
		// a tag (plain OCI tools); only the former names the image.
		if strings.ContainsAny(annot, "/:") {
			if n, err := NormalizeName(annot); err == nil {
				names = append(names, n)
			}
		}
		got, err := s.loadImage(ctx, src, names, report)
		if err != nil {
			return nil, err
		}
		loaded = append(loaded, got...)
	}
	return loaded, nil
}

// loadImage copies src into storage under names (or by ID when none).
func (s *Service) loadImage(ctx context.Context, src types.ImageReference, names []string, report io.Writer) ([]string, error) {
	id := ""
	first := ""
	if len(names) > 0 {
		first = names[0]
	} else {
		var err error
		if id, err = configID(ctx, s.systemContext(), src); err != nil {
			return nil, err
		}
	}
	dest, err := s.storageRef(first, id)
	if err != nil {
		return nil, err
	}
	man, err := s.copyImage(ctx, dest, src, report, nil)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return []string{"sha256:" + id}, nil
	}
	m, err := manifest.FromBlob(man, manifest.GuessMIMEType(man))
	if err != nil {
		return nil, fmt.Errorf("loaded manifest: %w", err)
	}
	if len(names) > 1 {
		if err := s.cs().AddNames(m.ConfigInfo().Digest.Encoded(), names[1:]); err != nil {
			return nil, fmt.Errorf("naming loaded image: %w", err)
		}
	}
	return names, nil
}

// configID returns the image ID (config digest) that src will get in
// storage.
func configID(ctx context.Context, sys *types.SystemContext, src types.ImageReference) (string, error) {
	is, err := src.NewImageSource(ctx, sys)
	if err != nil {
		return "", err
	}
	defer is.Close()
	mb, mt, err := is.GetManifest(ctx, nil)
	if err != nil {
		return "", err
	}
	m, err := manifest.FromBlob(mb, manifest.NormalizedMIMEType(mt))
	if err != nil {
		return "", err
	}
	return m.ConfigInfo().Digest.Encoded(), nil
}

// detectArchive tells docker-archive (manifest.json) from oci-archive
// (index.json + oci-layout) by reading the tar headers; for OCI it also
// returns the parsed index. Docker ≥ 25 writes both; docker-archive wins
// then, as its manifest.json carries the tags.
func detectArchive(path string) (string, *v1.Index, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	rc, err := archive.DecompressStream(f)
	if err != nil {
		return "", nil, err
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	var (
		index     *v1.Index
		ociLayout bool
	)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", nil, fmt.Errorf("not a docker-archive or oci-archive: %w", err)
		}
		switch filepath.Clean(h.Name) {
		case "manifest.json":
			return FormatDockerArchive, nil, nil
		case v1.ImageLayoutFile:
			ociLayout = true
		case v1.ImageIndexFile:
			var idx v1.Index
			if err := json.NewDecoder(tr).Decode(&idx); err != nil {
				return "", nil, fmt.Errorf("oci-archive index.json: %w", err)
			}
			index = &idx
		}
	}
	if ociLayout && index != nil {
		return FormatOCIArchive, index, nil
	}
	return "", nil, fmt.Errorf("not a docker-archive or oci-archive: %w", define.ErrInvalidArg)
}
