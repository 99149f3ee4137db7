package service

import (
	"fmt"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/image"
)

// IntermediateImages returns the IDs of the unnamed images that a build
// step was committed on (a build's steps): `images` hides them unless -a
// is given. A build step is recognised by its history entry, which
// builders (berth's, buildah's, docker's) write as the shell command
// ("/bin/sh -c ...") or with the build arguments first ("|1 A=b ..."):
// images that merely share layers and history, such as a pulled image and
// its extension, stay visible.
func IntermediateImages(list []*define.Image) map[string]bool {
	out := map[string]bool{}
	for _, p := range list {
		if len(p.Names) > 0 || len(p.History) == 0 {
			continue
		}
		for _, c := range list {
			if c.ID != p.ID && image.ChildOf(c, p) && isBuildStep(c.History[len(c.History)-1].CreatedBy) {
				out[p.ID] = true
				break
			}
		}
	}
	return out
}

func isBuildStep(createdBy string) bool { return image.IsBuildStep(createdBy) }

// ParseBuildArgs turns KEY=VALUE values into a map; a KEY alone takes the
// value from the environment given (docker and podman), and is skipped
// when that has none.
func ParseBuildArgs(values []string, getenv func(string) (string, bool)) (map[string]string, error) {
	out := map[string]string{}
	for _, v := range values {
		k, val, ok := strings.Cut(v, "=")
		if k == "" {
			return nil, fmt.Errorf("invalid build argument %q: %w", v, define.ErrInvalidArg)
		}
		if !ok {
			if val, ok = getenv(k); !ok {
				continue
			}
		}
		out[k] = val
	}
	return out, nil
}
