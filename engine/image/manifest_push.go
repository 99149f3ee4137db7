//go:build !berth_lean

package image

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	"github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/copy"
	"go.podman.io/image/v5/manifest"
	"go.podman.io/image/v5/oci/layout"
	"go.podman.io/image/v5/types"
)

// ManifestPush pushes the list and all its instances to destination and
// returns the digest of the list written.
//
// Instances stored locally are recompressed on the way out, which changes
// their digests, so the list cannot be pushed as stored: each instance is
// first copied into a temporary OCI layout, the list is rebuilt from what
// was written there, and the layout (list and instances) is then copied to
// the destination in one go, as any multi-image source.
func (s *Service) ManifestPush(ctx context.Context, listName, destination string, opts ManifestPushOptions) (digest.Digest, error) {
	instMIME, listMIME := v1.MediaTypeImageManifest, v1.MediaTypeImageIndex
	switch opts.Format {
	case "", ManifestFormatOCI:
	case ManifestFormatV2S2:
		instMIME, listMIME = manifest.DockerV2Schema2MediaType, manifest.DockerV2ListMediaType
	default:
		return "", fmt.Errorf("unsupported manifest list format %q: must be oci or v2s2: %w", opts.Format, define.ErrInvalidArg)
	}
	_, index, sources, err := s.manifestList(listName)
	if err != nil {
		return "", err
	}
	if len(index.Manifests) == 0 {
		return "", fmt.Errorf("manifest list %s is empty: %w", listName, define.ErrInvalidArg)
	}
	if destination == "" {
		destination = listName
	}
	dest, err := s.pushDestination(destination)
	if err != nil {
		return "", err
	}
	sys, err := s.sysContext(opts.RegistryOptions)
	if err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(s.opts.TmpDir, "berth-manifest-push-")
	if err != nil {
		return "", fmt.Errorf("manifest push: %w", err)
	}
	defer os.RemoveAll(tmp)

	var written []v1.Descriptor
	for i, m := range index.Manifests {
		src, err := s.instanceRef(m.Digest, sources[m.Digest])
		if err != nil {
			return "", err
		}
		lref, err := layout.NewReference(tmp, fmt.Sprintf("instance-%d", i))
		if err != nil {
			return "", err
		}
		man, err := s.copyImageWith(ctx, lref, src, opts.ReportWriter, sys, nil, func(o *copy.Options) {
			o.ForceManifestMIMEType = instMIME
			o.RemoveSignatures = opts.RemoveSignatures
		})
		if err != nil {
			return "", fmt.Errorf("instance %s: %w", m.Digest, err)
		}
		written = append(written, v1.Descriptor{
			MediaType: manifest.GuessMIMEType(man), Digest: digest.FromBytes(man), Size: int64(len(man)),
			Platform: m.Platform, Annotations: m.Annotations,
		})
	}
	listBytes, err := json.Marshal(v1.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: v1.MediaTypeImageIndex, Manifests: written})
	if err != nil {
		return "", err
	}
	if listMIME != v1.MediaTypeImageIndex {
		l, err := manifest.ListFromBlob(listBytes, v1.MediaTypeImageIndex)
		if err != nil {
			return "", err
		}
		if l, err = l.ConvertToMIMEType(listMIME); err != nil {
			return "", err
		}
		if listBytes, err = l.Serialize(); err != nil {
			return "", err
		}
	}
	if err := writeLayoutTop(tmp, listBytes, listMIME); err != nil {
		return "", err
	}
	src, err := layout.NewReference(tmp, "")
	if err != nil {
		return "", err
	}
	man, err := s.copyImage(ctx, dest, src, opts.ReportWriter, sys, func(o *copy.Options) {
		o.ImageListSelection = copy.CopyAllImages
		o.RemoveSignatures = opts.RemoveSignatures
	})
	if err != nil {
		return "", err
	}
	return manifest.Digest(man)
}

// instanceRef finds where to copy a list instance from: the recorded
// source, else a local image with that manifest digest.
func (s *Service) instanceRef(d digest.Digest, source string) (types.ImageReference, error) {
	if id, ok := strings.CutPrefix(source, localSource); ok {
		return s.storageRef("", id)
	}
	if source != "" {
		ref, ok, err := s.parseTransportRef(source)
		if err != nil {
			return nil, err
		}
		if ok {
			return ref, nil
		}
	}
	img, _, err := s.resolve(d.String())
	if err != nil {
		return nil, fmt.Errorf("instance %s of the list is neither local nor from a known source: %w", d, err)
	}
	return s.storageRef("", img.ID)
}

// writeLayoutTop makes list the only entry of the layout's index.json
// (the instances' own entries go; their blobs stay).
func writeLayoutTop(dir string, list []byte, mime string) error {
	d := digest.FromBytes(list)
	blob := filepath.Join(dir, "blobs", d.Algorithm().String(), d.Encoded())
	if err := os.WriteFile(blob, list, 0o644); err != nil {
		return fmt.Errorf("writing manifest list: %w", err)
	}
	top, err := json.Marshal(v1.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: v1.MediaTypeImageIndex,
		Manifests: []v1.Descriptor{{MediaType: mime, Digest: d, Size: int64(len(list))}}})
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, v1.ImageIndexFile), top, 0o644)
}
