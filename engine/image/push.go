//go:build !berth_lean

package image

import (
	"context"
	"fmt"

	"github.com/berth-dev/berth/engine/define"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/copy"
	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/manifest"
	"go.podman.io/image/v5/pkg/compression"
	"go.podman.io/image/v5/types"
)

// manifestMIMEType maps a --format name to a manifest MIME type.
func manifestMIMEType(format string) (string, error) {
	switch format {
	case "":
		return "", nil
	case ManifestFormatOCI:
		return v1.MediaTypeImageManifest, nil
	case ManifestFormatV2S2, "docker":
		return manifest.DockerV2Schema2MediaType, nil
	}
	return "", fmt.Errorf("unsupported manifest format %q: must be oci or v2s2: %w", format, define.ErrInvalidArg)
}

// Push copies the local image source to destination, a transport
// reference (docker://, oci:, oci-archive:, docker-archive:, dir:) or a
// registry name; an empty destination means the image's own name on its
// registry. It returns the digest and size of the manifest written.
func (s *Service) Push(ctx context.Context, source, destination string, opts PushOptions) (Pushed, error) {
	return s.push(ctx, source, destination, opts)
}

func (s *Service) push(ctx context.Context, source, destination string, opts PushOptions) (Pushed, error) {
	mime, err := manifestMIMEType(opts.Format)
	if err != nil {
		return Pushed{}, err
	}
	var algo *compression.Algorithm
	if opts.CompressionFormat != "" {
		a, err := compression.AlgorithmByName(opts.CompressionFormat)
		if err != nil {
			return Pushed{}, fmt.Errorf("invalid compression format %q: %v: %w", opts.CompressionFormat, err, define.ErrInvalidArg)
		}
		algo = &a
	}
	img, matched, err := s.resolve(source)
	if err != nil {
		return Pushed{}, err
	}
	if destination == "" {
		destination = matched
		if destination == "" {
			return Pushed{}, fmt.Errorf("image %s has no name to push to, give a destination: %w", source, define.ErrInvalidArg)
		}
	}
	dest, err := s.pushDestination(destination)
	if err != nil {
		return Pushed{}, err
	}
	sys, err := s.sysContext(opts.RegistryOptions)
	if err != nil {
		return Pushed{}, err
	}
	sys.CompressionFormat = algo
	sys.CompressionLevel = opts.CompressionLevel
	// dir: stores layers uncompressed unless told otherwise; asking for a
	// compression format is asking for compression.
	sys.DirForceCompress = algo != nil || opts.DirCompress
	src, err := s.storageRef(matched, img.ID)
	if err != nil {
		return Pushed{}, err
	}
	force := algo != nil
	if opts.ForceCompression != nil {
		force = *opts.ForceCompression
	}
	var man []byte
	err = withRetries(ctx, opts.MaxRetries, opts.RetryDelay, opts.RetryWarn, func() (err error) {
		man, err = s.copyImage(ctx, dest, src, opts.ReportWriter, sys, func(o *copy.Options) {
			o.ForceManifestMIMEType = mime
			o.RemoveSignatures = opts.RemoveSignatures
			o.ForceCompressionFormat = force
			o.SignBySigstorePrivateKeyFile = opts.SigstoreKeyFile
			o.SignSigstorePrivateKeyPassphrase = opts.SigstorePassphrase
		})
		return err
	})
	if err != nil {
		return Pushed{}, err
	}
	d, err := manifest.Digest(man)
	if err != nil {
		return Pushed{}, fmt.Errorf("digest of pushed manifest: %w", err)
	}
	return Pushed{Digest: d, Size: len(man)}, nil
}

// pushDestination parses a push target: a transport reference, or a
// registry name ("quay.io/x/y:1", "localhost:5000/img") for docker://.
func (s *Service) pushDestination(destination string) (types.ImageReference, error) {
	ref, ok, err := s.parseTransportRef(destination)
	if err != nil {
		return nil, err
	}
	if ok {
		if ref.Transport().Name() == transportStorage {
			return nil, fmt.Errorf("pushing to containers-storage is not supported, use tag: %w", define.ErrInvalidArg)
		}
		return ref, nil
	}
	named, err := reference.ParseNormalizedNamed(destination)
	if err != nil {
		return nil, fmt.Errorf("invalid destination %q: %v: %w", destination, err, define.ErrInvalidArg)
	}
	return dockerRef(reference.TagNameOnly(named))
}
