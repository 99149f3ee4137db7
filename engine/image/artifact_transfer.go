//go:build !berth_lean

package image

import (
	"context"
	"fmt"
	"io"

	"github.com/berth-dev/berth/engine/define"
	"github.com/opencontainers/go-digest"
	"go.podman.io/image/v5/copy"
	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/oci/layout"
	"go.podman.io/image/v5/types"
)

// ArtifactTransferOptions are the options of artifact pull and push.
type ArtifactTransferOptions struct {
	RegistryOptions
	// ReportWriter receives the copy progress; nil is quiet.
	ReportWriter io.Writer
	// MaxRetries is how many times a failed copy is tried again.
	MaxRetries uint
}

// ArtifactPull copies the artifact name from its registry into the store
// (the oci: transport over the store's layout) and returns its digest.
func (s *Service) ArtifactPull(ctx context.Context, name string, opts ArtifactTransferOptions) (digest.Digest, error) {
	name = ArtifactName(name)
	src, err := artifactRegistryRef(name)
	if err != nil {
		return "", err
	}
	unlock, err := s.lockArtifacts()
	if err != nil {
		return "", err
	}
	defer unlock()
	dest, err := layout.NewReference(s.artifactDir(), name)
	if err != nil {
		return "", fmt.Errorf("artifact name %q: %v: %w", name, err, define.ErrInvalidArg)
	}
	return s.copyArtifact(ctx, dest, src, opts)
}

// ArtifactPush copies the stored artifact name to destination (default:
// its own name) on a registry and returns the manifest's digest.
func (s *Service) ArtifactPush(ctx context.Context, name, destination string, opts ArtifactTransferOptions) (digest.Digest, error) {
	a, err := s.ArtifactInspect(name)
	if err != nil {
		return "", err
	}
	if destination == "" {
		destination = a.Name
	}
	dest, err := artifactRegistryRef(ArtifactName(destination))
	if err != nil {
		return "", err
	}
	unlock, err := s.lockArtifacts()
	if err != nil {
		return "", err
	}
	defer unlock()
	src, err := layout.NewReference(s.artifactDir(), a.Name)
	if err != nil {
		return "", err
	}
	return s.copyArtifact(ctx, dest, src, opts)
}

func (s *Service) copyArtifact(ctx context.Context, dest, src types.ImageReference, opts ArtifactTransferOptions) (digest.Digest, error) {
	sys, err := s.sysContext(opts.RegistryOptions)
	if err != nil {
		return "", err
	}
	var man []byte
	for try := uint(0); ; try++ {
		man, err = s.copyImage(ctx, dest, src, opts.ReportWriter, sys, func(o *copy.Options) { o.SourceCtx = sys })
		if err == nil || try >= opts.MaxRetries || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		return "", err
	}
	return digest.FromBytes(man), nil
}

// artifactRegistryRef is the docker:// reference of an artifact name.
func artifactRegistryRef(name string) (types.ImageReference, error) {
	named, err := reference.ParseNormalizedNamed(name)
	if err != nil {
		return nil, fmt.Errorf("invalid artifact name %q: %v: %w", name, err, define.ErrInvalidArg)
	}
	return dockerRef(reference.TagNameOnly(named))
}
