//go:build !berth_lean

package image

import (
	"fmt"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	"go.podman.io/image/v5/docker"
	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/transports"
	"go.podman.io/image/v5/types"

	// The transports an image reference may name; importing them
	// registers them with transports.Get. (docker, the archives, dir,
	// oci and containers-storage are imported for their own use
	// elsewhere in the package.)
	_ "go.podman.io/image/v5/oci/archive"
	_ "go.podman.io/image/v5/oci/layout"
)

// Transport names as they prefix image references.
const (
	transportDocker  = "docker"
	transportStorage = "containers-storage"
)

// parseTransportRef parses "transport:reference" for a transport berth
// knows. ok is false when name does not start with one, so that it is a
// registry name ("busybox:1.36", "localhost:5000/x"). "docker:latest" is
// the docker image, not the docker transport (which needs "docker://").
// A containers-storage reference without a "[driver@root]" prefix means
// this service's own store, not the system's default one.
func (s *Service) parseTransportRef(name string) (ref types.ImageReference, ok bool, err error) {
	tname, within, found := strings.Cut(name, ":")
	if !found {
		return nil, false, nil
	}
	t := transports.Get(tname)
	if t == nil || (tname == transportDocker && !strings.HasPrefix(within, "//")) {
		return nil, false, nil
	}
	if tname == transportStorage && !strings.HasPrefix(within, "[") {
		img, matched, err := s.resolve(within)
		if err != nil {
			return nil, true, err
		}
		ref, err = s.storageRef(matched, img.ID)
		return ref, true, err
	}
	ref, err = t.ParseReference(within)
	if err != nil {
		return nil, true, fmt.Errorf("invalid image reference %q: %v: %w", name, err, define.ErrInvalidArg)
	}
	return ref, true, nil
}

// dockerRef returns the docker transport reference of a registry name.
func dockerRef(named reference.Named) (types.ImageReference, error) {
	ref, err := docker.NewReference(named)
	if err != nil {
		return nil, fmt.Errorf("invalid registry reference %q: %v: %w", named.String(), err, define.ErrInvalidArg)
	}
	return ref, nil
}

// transportName renders ref with its transport prefix, for messages.
func transportName(ref types.ImageReference) string {
	return transports.ImageName(ref)
}
