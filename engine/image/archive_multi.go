//go:build !berth_lean

package image

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/directory"
	"go.podman.io/image/v5/oci/layout"
	"go.podman.io/storage/pkg/archive"
)

// saveOCIMulti writes several images into one OCI layout (oci-dir) or an
// archive of one (oci-archive), each under its ref.name annotation: the
// name the user gave, else the image's first name, else none (it loads
// back by ID).
func (s *Service) saveOCIMulti(ctx context.Context, out string, refs []string, format string, report io.Writer) error {
	dir := out
	if format == FormatOCIArchive {
		tmp, err := os.MkdirTemp(s.opts.TmpDir, "berth-save-oci-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	seen := map[string]bool{}
	for _, r := range refs {
		img, matched, err := s.resolve(r)
		if err != nil {
			return err
		}
		name := matched
		if name == "" && len(img.Names) > 0 {
			name = img.Names[0]
		}
		key := name + "@" + img.ID
		if seen[key] {
			continue
		}
		seen[key] = true
		dest, err := layout.NewReference(dir, name)
		if err != nil {
			return err
		}
		src, err := s.storageRef("", img.ID)
		if err != nil {
			return err
		}
		if _, err := s.copyImage(ctx, dest, src, report, nil); err != nil {
			return err
		}
	}
	if format != FormatOCIArchive {
		return nil
	}
	rc, err := archive.Tar(dir, archive.Uncompressed)
	if err != nil {
		return err
	}
	defer rc.Close()
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, ctxReader{ctx, rc})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// loadDir loads an OCI layout directory (every image of its index) or a
// dir: transport directory (one image, stored by ID).
func (s *Service) loadDir(ctx context.Context, dir string, report io.Writer) ([]string, error) {
	if _, err := os.Stat(filepath.Join(dir, v1.ImageLayoutFile)); err == nil {
		b, err := os.ReadFile(filepath.Join(dir, v1.ImageIndexFile))
		if err != nil {
			return nil, err
		}
		var index v1.Index
		if err := json.Unmarshal(b, &index); err != nil {
			return nil, fmt.Errorf("oci-dir index.json: %w", err)
		}
		return s.loadLayout(ctx, dir, &index, report)
	}
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err == nil {
		ref, err := directory.NewReference(dir)
		if err != nil {
			return nil, err
		}
		return s.loadImage(ctx, ref, nil, report)
	}
	return nil, fmt.Errorf("%s is neither an OCI layout nor an image directory", dir)
}

// loadLayout loads every image of an OCI layout by position, so that
// unnamed images load too (by ID).
func (s *Service) loadLayout(ctx context.Context, dir string, index *v1.Index, report io.Writer) ([]string, error) {
	if len(index.Manifests) == 0 {
		return nil, fmt.Errorf("OCI layout %s has no image", dir)
	}
	var loaded []string
	for i, m := range index.Manifests {
		ref, err := layout.NewIndexReference(dir, i)
		if err != nil {
			return nil, err
		}
		got, err := s.loadImage(ctx, ref, annotationName(m.Annotations[v1.AnnotationRefName]), report)
		if err != nil {
			return nil, err
		}
		loaded = append(loaded, got...)
	}
	return loaded, nil
}

// loadOCIArchiveAll unpacks an oci-archive and loads every image in it.
func (s *Service) loadOCIArchiveAll(ctx context.Context, path string, index *v1.Index, report io.Writer) ([]string, error) {
	tmp, err := os.MkdirTemp(s.opts.TmpDir, "berth-load-oci-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	if err := archive.UntarPath(path, tmp); err != nil {
		return nil, fmt.Errorf("unpacking oci-archive: %w", err)
	}
	return s.loadLayout(ctx, tmp, index, report)
}
