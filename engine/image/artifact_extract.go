package image

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// ArtifactExtractOptions pick one file of an artifact (--digest, --title).
type ArtifactExtractOptions struct {
	Digest, Title string
}

// ArtifactExtract copies an artifact's files out: into target when it is a
// directory (each under its title, or its digest when untitled), else to
// the file target, which then needs a single file or a --digest/--title
// choice (podman's rules and messages).
func (s *Service) ArtifactExtract(nameOrDigest, target string, opts ArtifactExtractOptions) error {
	if opts.Digest != "" && opts.Title != "" {
		return argErr("cannot specify both digest and title")
	}
	a, err := s.ArtifactInspect(nameOrDigest)
	if err != nil {
		return err
	}
	layers := a.Manifest.Layers
	if len(layers) == 0 {
		return argErr("the artifact has no blobs, nothing to extract")
	}
	isFile := true
	if st, err := os.Stat(target); err == nil {
		isFile = !st.IsDir()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	pick := opts.Digest != "" || opts.Title != ""
	if isFile {
		d := layers[0].Digest
		if len(layers) > 1 || pick {
			if !pick {
				return argErr("the artifact consists of several blobs and the target %q is not a directory and neither digest or title was specified to only copy a single blob", target)
			}
			if d, err = findLayer(layers, opts); err != nil {
				return err
			}
		}
		return s.copyArtifactBlob(d, target)
	}
	if pick {
		d, err := findLayer(layers, opts)
		if err != nil {
			return err
		}
		name, err := blobFileName(opts.Title, d)
		if err != nil {
			return err
		}
		return s.copyArtifactBlob(d, filepath.Join(target, name))
	}
	for _, l := range layers {
		name, err := blobFileName(l.Annotations[v1.AnnotationTitle], l.Digest)
		if err != nil {
			return err
		}
		if err := s.copyArtifactBlob(l.Digest, filepath.Join(target, name)); err != nil {
			return err
		}
	}
	return nil
}

// findLayer returns the one layer with the chosen digest or title.
func findLayer(layers []v1.Descriptor, opts ArtifactExtractOptions) (digest.Digest, error) {
	var found digest.Digest
	for _, l := range layers {
		if (opts.Digest != "" && l.Digest.String() == opts.Digest) || (opts.Title != "" && l.Annotations[v1.AnnotationTitle] == opts.Title) {
			if found != "" {
				if opts.Title != "" {
					return "", argErr("more than one match for the title %q", opts.Title)
				}
				return "", argErr("more than one match for the digest %q", opts.Digest)
			}
			found = l.Digest
		}
	}
	if found == "" {
		if opts.Title != "" {
			return "", argErr("no blob with the title %q", opts.Title)
		}
		return "", argErr("no blob with the digest %q", opts.Digest)
	}
	return found, nil
}

// blobFileName is a layer's title, or its digest with "-" for ":" when it
// has none; a title with a path separator is refused (a pulled artifact
// must not write outside the target directory).
func blobFileName(title string, d digest.Digest) (string, error) {
	name := title
	if name == "" {
		name = strings.ReplaceAll(d.String(), ":", "-")
	}
	if strings.ContainsRune(name, '/') || name == "." || name == ".." {
		return "", argErr("invalid name: %q cannot contain /", name)
	}
	return name, nil
}

func (s *Service) copyArtifactBlob(d digest.Digest, target string) error {
	if d.Validate() != nil {
		return argErr("invalid blob digest %q", d)
	}
	in, err := os.Open(s.blobPath(d))
	if err != nil {
		return fmt.Errorf("failed to get artifact file: %w", err)
	}
	defer in.Close()
	out, err := os.Create(target)
	if err != nil {
		return fmt.Errorf("failed to create target file: %w", err)
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}
