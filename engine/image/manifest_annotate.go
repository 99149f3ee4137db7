//go:build !berth_lean

package image

import (
	"fmt"

	"github.com/berth-dev/berth/engine/define"
	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// ManifestExists reports whether nameOrID is a local manifest list.
func (s *Service) ManifestExists(nameOrID string) bool {
	_, _, _, err := s.manifestList(nameOrID)
	return err == nil
}

// ManifestAnnotate sets the platform fields and annotations of the
// instance d of a list (podman's and docker's `manifest annotate`).
func (s *Service) ManifestAnnotate(listName string, d digest.Digest, o ManifestAnnotateOptions) error {
	img, index, sources, err := s.manifestList(listName)
	if err != nil {
		return err
	}
	if o.Index {
		if index.Annotations == nil {
			index.Annotations = map[string]string{}
		}
		for k, v := range o.Annotations {
			index.Annotations[k] = v
		}
		return s.saveList(img.ID, index, sources)
	}
	i := -1
	for j, m := range index.Manifests {
		if m.Digest == d {
			i = j
		}
	}
	if i < 0 {
		return fmt.Errorf("%s is not in manifest list %s: %w", d, listName, define.ErrNoSuchImage)
	}
	m := &index.Manifests[i]
	if m.Platform == nil {
		m.Platform = &v1.Platform{}
	}
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&m.Platform.Architecture, o.Arch)
	set(&m.Platform.OS, o.OS)
	set(&m.Platform.OSVersion, o.OSVersion)
	set(&m.Platform.Variant, o.Variant)
	if len(o.OSFeatures) > 0 {
		m.Platform.OSFeatures = o.OSFeatures
	}
	if len(o.Annotations) > 0 {
		if m.Annotations == nil {
			m.Annotations = map[string]string{}
		}
		for k, v := range o.Annotations {
			m.Annotations[k] = v
		}
	}
	return s.saveList(img.ID, index, sources)
}
