package image

import (
	"fmt"
	"slices"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	"go.podman.io/image/v5/docker/reference"
)

// NormalizeName turns a user-supplied image name into the fully qualified
// form stored with images, the way podman does for local names: a name
// without a registry goes under "localhost/" (not docker.io), docker.io
// names get "library/" for official images, and a missing tag becomes
// ":latest" (unless the name carries a digest).
func NormalizeName(name string) (string, error) {
	named, err := normalizeNamed(name)
	if err != nil {
		return "", err
	}
	return named.String(), nil
}

func normalizeNamed(name string) (reference.Named, error) {
	if name == "" {
		return nil, fmt.Errorf("empty image name: %w", define.ErrInvalidArg)
	}
	full := name
	if !hasDomain(name) {
		full = "localhost/" + name
	}
	named, err := reference.ParseNormalizedNamed(full)
	if err != nil {
		return nil, fmt.Errorf("invalid image name %q: %v: %w", name, err, define.ErrInvalidArg)
	}
	return reference.TagNameOnly(named), nil
}

// hasDomain reports whether the first path component of name is a
// registry (contains "." or ":" or is "localhost"), as the docker
// reference grammar decides.
func hasDomain(name string) bool {
	first, _, ok := strings.Cut(name, "/")
	if !ok {
		return false
	}
	return strings.ContainsAny(first, ".:") || first == "localhost"
}

// namedOrNil parses an already normalized name; "" gives nil.
func namedOrNil(name string) reference.Named {
	if name == "" {
		return nil
	}
	named, err := reference.ParseNormalizedNamed(name)
	if err != nil {
		return nil
	}
	return reference.TagNameOnly(named)
}

// shortMatch reports whether the stored name (fully qualified) answers to
// the short user name path:tag, i.e. its repository path ends with the
// whole path components of path ("busybox" matches
// docker.io/library/busybox:latest and localhost/busybox:latest).
func shortMatch(stored, path, tag string) bool {
	named, err := reference.ParseNormalizedNamed(stored)
	if err != nil {
		return false
	}
	tagged, ok := named.(reference.Tagged)
	if !ok || tagged.Tag() != tag {
		return false
	}
	p := reference.Path(named)
	return p == path || strings.HasSuffix(p, "/"+path)
}

// notKnownError is returned when a name or ID resolves to no image; it
// prints like podman ("busybox: image not known") and is a
// define.ErrNoSuchImage.
type notKnownError struct{ name string }

func (e *notKnownError) Error() string { return e.name + ": image not known" }
func (e *notKnownError) Unwrap() error { return define.ErrNoSuchImage }

// transportNames are the transports image/v5 registers in the full build
// (TestTransportNames keeps the list in line with it). The lean build
// tells transport references from registry names with it.
var transportNames = []string{"containers-storage", "dir", "docker", "docker-archive", "oci", "oci-archive"}

// namesTransport reports whether name is "transport:reference" rather
// than a registry name, by parseTransportRef's rule.
func namesTransport(name string) bool {
	t, within, ok := strings.Cut(name, ":")
	if !ok || !slices.Contains(transportNames, t) {
		return false
	}
	return t != "docker" || strings.HasPrefix(within, "//")
}
