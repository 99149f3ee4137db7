//go:build !berth_lean

package image

import (
	"context"
	"fmt"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	"go.podman.io/image/v5/docker/reference"
)

// RemoteDiffers reports whether the registry's manifest for name (a
// registry reference) is none of the digests of the local image imageID:
// whether auto-update has something newer to pull.
func (s *Service) RemoteDiffers(ctx context.Context, name, imageID string, ro RegistryOptions) (bool, error) {
	named, err := reference.ParseNormalizedNamed(strings.TrimPrefix(name, "docker://"))
	if err != nil {
		return false, fmt.Errorf("parsing %q: %v: %w", name, err, define.ErrInvalidArg)
	}
	img, _, err := s.resolve(imageID)
	if err != nil {
		return false, err
	}
	sys, err := s.sysContext(ro)
	if err != nil {
		return false, err
	}
	return s.remoteDiffers(ctx, reference.TagNameOnly(named), img.Digest.String(), img.Digests, sys)
}
