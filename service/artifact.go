package service

import (
	"context"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/image"
	"github.com/opencontainers/go-digest"
)

// OCI artifacts (podman 5's `artifact` group), kept by the image service.
type (
	Artifact                = image.Artifact
	ArtifactAddOptions      = image.ArtifactAddOptions
	ArtifactExtractOptions  = image.ArtifactExtractOptions
	ArtifactTransferOptions = image.ArtifactTransferOptions
)

// withImages runs fn on the runtime's image service.
func withImages[T any](rt *engine.Runtime, fn func(*image.Service) (T, error)) (T, error) {
	images, err := rt.Images()
	if err != nil {
		var zero T
		return zero, err
	}
	return fn(images)
}

// ArtifactAdd stores files as an artifact and returns its digest.
func ArtifactAdd(rt *engine.Runtime, name string, files []string, opts ArtifactAddOptions) (digest.Digest, error) {
	return withImages(rt, func(s *image.Service) (digest.Digest, error) { return s.ArtifactAdd(name, files, opts) })
}

// ArtifactList returns the stored artifacts.
func ArtifactList(rt *engine.Runtime) ([]*Artifact, error) {
	return withImages(rt, func(s *image.Service) ([]*Artifact, error) { return s.ArtifactList() })
}

// ArtifactInspect returns one artifact by name or digest.
func ArtifactInspect(rt *engine.Runtime, nameOrDigest string) (*Artifact, error) {
	return withImages(rt, func(s *image.Service) (*Artifact, error) { return s.ArtifactInspect(nameOrDigest) })
}

// ArtifactRemove deletes one artifact, or all, and returns their digests.
func ArtifactRemove(rt *engine.Runtime, nameOrDigest string, all bool) ([]digest.Digest, error) {
	return withImages(rt, func(s *image.Service) ([]digest.Digest, error) { return s.ArtifactRemove(nameOrDigest, all) })
}

// ArtifactExtract copies an artifact's files to target.
func ArtifactExtract(rt *engine.Runtime, nameOrDigest, target string, opts ArtifactExtractOptions) error {
	_, err := withImages(rt, func(s *image.Service) (struct{}, error) {
		return struct{}{}, s.ArtifactExtract(nameOrDigest, target, opts)
	})
	return err
}

// ArtifactPull copies an artifact from its registry into the store.
func ArtifactPull(ctx context.Context, rt *engine.Runtime, name string, opts ArtifactTransferOptions) (digest.Digest, error) {
	return withImages(rt, func(s *image.Service) (digest.Digest, error) { return s.ArtifactPull(ctx, name, opts) })
}

// ArtifactPush copies a stored artifact to a registry.
func ArtifactPush(ctx context.Context, rt *engine.Runtime, name, dest string, opts ArtifactTransferOptions) (digest.Digest, error) {
	return withImages(rt, func(s *image.Service) (digest.Digest, error) { return s.ArtifactPush(ctx, name, dest, opts) })
}
