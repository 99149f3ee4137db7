package image

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"sort"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/manifest"
	cstorage "go.podman.io/storage"
)

var hexPrefix = regexp.MustCompile(`^[a-f0-9]{1,64}$`)

// List returns every image in the store. It reads only the manifest and
// config stored next to each image by the containers-storage transport, so
// it never opens an image source.
func (s *Service) List() ([]*define.Image, error) {
	imgs, err := s.cs().Images()
	if err != nil {
		return nil, fmt.Errorf("listing images: %w", err)
	}
	out := make([]*define.Image, 0, len(imgs))
	for i := range imgs {
		di, err := s.describe(&imgs[i])
		if err != nil {
			return nil, err
		}
		out = append(out, di)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, nil
}

// Lookup resolves nameOrID like podman: a full or unique short ID (with or
// without "sha256:"), a name ("busybox" answers to localhost/busybox:latest
// first and then to any name whose repository ends in /busybox with tag
// latest, such as docker.io/library/busybox:latest), "name:tag", or a digest
// reference "name@sha256:...". A miss wraps define.ErrNoSuchImage.
func (s *Service) Lookup(nameOrID string) (*define.Image, error) {
	img, _, err := s.resolve(nameOrID)
	if err != nil {
		return nil, err
	}
	return s.describe(img)
}

// LookupForContainer is Lookup without the image's size, which costs a
// walk of every layer store and which creating a container never needs
// (Size is left 0).
func (s *Service) LookupForContainer(nameOrID string) (*define.Image, error) {
	img, _, err := s.resolve(nameOrID)
	if err != nil {
		return nil, err
	}
	return s.describeWith(img, false)
}

// resolve finds the storage image for nameOrID. matchedName is the stored
// name it matched, or "" when it matched by ID or digest.
func (s *Service) resolve(nameOrID string) (img *cstorage.Image, matchedName string, err error) {
	if nameOrID == "" {
		return nil, "", fmt.Errorf("empty image name: %w", define.ErrInvalidArg)
	}
	imgs, err := s.cs().Images()
	if err != nil {
		return nil, "", fmt.Errorf("listing images: %w", err)
	}
	// An exact ID always wins; then names; then a unique ID prefix, so
	// that an image named "a" or "cafe" is found by its name even when
	// some image ID starts with those letters (containers/storage's order).
	id := strings.TrimPrefix(nameOrID, "sha256:")
	isHex := hexPrefix.MatchString(id)
	if isHex {
		for i := range imgs {
			if imgs[i].ID == id {
				return &imgs[i], "", nil
			}
		}
	}
	if strings.HasPrefix(nameOrID, "sha256:") || !isHex {
		switch {
		case strings.HasPrefix(nameOrID, "sha256:") && isHex:
			return s.byIDPrefix(imgs, nameOrID, id)
		case strings.Contains(nameOrID, "@"):
			return s.byDigestRef(imgs, nameOrID)
		}
		return byName(imgs, nameOrID)
	}
	if img, n, err := byName(imgs, nameOrID); err == nil {
		return img, n, nil
	}
	return s.byIDPrefix(imgs, nameOrID, id)
}

// byIDPrefix finds the one image whose ID starts with id; "sha256:"
// followed by a manifest digest is tried when no ID matches.
func (s *Service) byIDPrefix(imgs []cstorage.Image, nameOrID, id string) (*cstorage.Image, string, error) {
	var found []*cstorage.Image
	for i := range imgs {
		if strings.HasPrefix(imgs[i].ID, id) {
			found = append(found, &imgs[i])
		}
	}
	switch {
	case len(found) == 1:
		return found[0], "", nil
	case len(found) > 1:
		return nil, "", fmt.Errorf("image ID prefix %s: %w", nameOrID, define.ErrAmbiguous)
	case strings.HasPrefix(nameOrID, "sha256:"):
		return s.byDigest(imgs, nameOrID, "")
	}
	return nil, "", &notKnownError{nameOrID}
}

// byName finds an image by its full name, or by a short name matching the
// path and tag of one of its names.
func byName(imgs []cstorage.Image, nameOrID string) (*cstorage.Image, string, error) {
	if hasDomain(nameOrID) {
		full, err := NormalizeName(nameOrID)
		if err != nil {
			return nil, "", &notKnownError{nameOrID}
		}
		for i := range imgs {
			for _, n := range imgs[i].Names {
				if n == full {
					return &imgs[i], n, nil
				}
			}
		}
		return nil, "", &notKnownError{nameOrID}
	}
	full, err := NormalizeName(nameOrID)
	if err != nil {
		return nil, "", &notKnownError{nameOrID}
	}
	named, _ := reference.ParseNormalizedNamed(full)
	tag := "latest"
	if t, ok := named.(reference.Tagged); ok {
		tag = t.Tag()
	}
	path := reference.Path(named)
	for i := range imgs {
		for _, n := range imgs[i].Names {
			if n == full {
				return &imgs[i], n, nil
			}
		}
	}
	for i := range imgs {
		for _, n := range imgs[i].Names {
			if shortMatch(n, path, tag) {
				return &imgs[i], n, nil
			}
		}
	}
	return nil, "", &notKnownError{nameOrID}
}

// byDigestRef resolves "name@sha256:..." (name may be short).
func (s *Service) byDigestRef(imgs []cstorage.Image, ref string) (*cstorage.Image, string, error) {
	name, dgst, _ := strings.Cut(ref, "@")
	return s.byDigest(imgs, dgst, name)
}

// byDigest finds an image whose manifest digest is dgst and, when repo is
// set, that has a name in a matching repository.
func (s *Service) byDigest(imgs []cstorage.Image, dgst, repo string) (*cstorage.Image, string, error) {
	want := ref(repo, dgst)
	d, err := digest.Parse(dgst)
	if err != nil {
		return nil, "", &notKnownError{want}
	}
	var path string
	if repo != "" {
		full, err := NormalizeName(repo)
		if err != nil {
			return nil, "", &notKnownError{want}
		}
		named, _ := reference.ParseNormalizedNamed(full)
		path = reference.Path(named)
	}
	for i := range imgs {
		if imgs[i].Digest != d && !containsDigest(imgs[i].Digests, d) {
			continue
		}
		if repo == "" {
			return &imgs[i], "", nil
		}
		for _, n := range imgs[i].Names {
			named, err := reference.ParseNormalizedNamed(n)
			if err != nil {
				continue
			}
			if p := reference.Path(named); p == path || strings.HasSuffix(p, "/"+path) {
				return &imgs[i], "", nil
			}
		}
	}
	return nil, "", &notKnownError{want}
}

func ref(repo, dgst string) string {
	if repo == "" {
		return dgst
	}
	return repo + "@" + dgst
}

func containsDigest(ds []digest.Digest, d digest.Digest) bool {
	for _, x := range ds {
		if x == d {
			return true
		}
	}
	return false
}

// imageConfig is an image's OCI config plus the HEALTHCHECK of a
// docker-format config (OCI has no such field, so v1.Image drops it).
type imageConfig struct {
	v1.Image
	Healthcheck *define.HealthConfig
	// raw is the config blob as stored, for readers of other fields.
	raw []byte
}

// manifestAndConfig reads the stored manifest and OCI config of img.
func (s *Service) manifestAndConfig(img *cstorage.Image) (manifest.Manifest, []byte, *imageConfig, error) {
	mb, err := s.cs().ImageBigData(img.ID, cstorage.ImageDigestBigDataKey)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("image %s manifest: %w", img.ID, err)
	}
	m, err := manifest.FromBlob(mb, manifest.GuessMIMEType(mb))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("image %s manifest: %w", img.ID, err)
	}
	cb, err := s.cs().ImageBigData(img.ID, m.ConfigInfo().Digest.String())
	if err != nil {
		return nil, nil, nil, fmt.Errorf("image %s config: %w", img.ID, err)
	}
	cfg := imageConfig{raw: cb}
	if err := json.Unmarshal(cb, &cfg.Image); err != nil {
		return nil, nil, nil, fmt.Errorf("image %s config: %w", img.ID, err)
	}
	var docker struct {
		Config struct {
			Healthcheck *define.HealthConfig `json:"Healthcheck"`
		} `json:"config"`
	}
	if json.Unmarshal(cb, &docker) == nil {
		cfg.Healthcheck = docker.Config.Healthcheck
	}
	return m, mb, &cfg, nil
}

// describe builds the engine's record of img.
func (s *Service) describe(img *cstorage.Image) (*define.Image, error) {
	return s.describeWith(img, true)
}

// describeWith is describe, measuring the image's size only when asked.
func (s *Service) describeWith(img *cstorage.Image, withSize bool) (*define.Image, error) {
	if img.TopLayer == "" && s.isList(img) {
		return s.describeList(img)
	}
	_, mb, cfg, err := s.manifestAndConfig(img)
	if err != nil {
		return nil, err
	}
	var size int64
	if withSize {
		if size, err = s.cs().ImageSize(img.ID); err != nil {
			return nil, fmt.Errorf("image %s size: %w", img.ID, err)
		}
	}
	di := &define.Image{
		ID:           img.ID,
		Digest:       img.Digest.String(),
		Names:        append([]string(nil), img.Names...),
		Size:         size,
		TopLayer:     img.TopLayer,
		Author:       cfg.Author,
		Os:           cfg.OS,
		Arch:         cfg.Architecture,
		Variant:      cfg.Variant,
		ManifestType: manifest.GuessMIMEType(mb),
		Config:       cfg.Config,
		Healthcheck:  cfg.Healthcheck,
		History:      cfg.History,
		NamesHistory: append([]string(nil), img.NamesHistory...),
		Dangling:     len(img.Names) == 0,
	}
	if img.Digest == "" {
		if d, err := manifest.Digest(mb); err == nil {
			di.Digest = d.String()
		}
	}
	if cfg.Created != nil {
		di.Created = *cfg.Created
	} else {
		di.Created = img.Created
	}
	for _, d := range cfg.RootFS.DiffIDs {
		di.Layers = append(di.Layers, d.String())
	}
	if len(cfg.History) > 0 {
		di.Comment = cfg.History[len(cfg.History)-1].Comment
	}
	// Repo digests: one name@digest per repository, as podman shows them.
	seen := map[string]bool{}
	for _, n := range img.Names {
		named, err := reference.ParseNormalizedNamed(n)
		if err != nil || di.Digest == "" {
			continue
		}
		rd := named.Name() + "@" + di.Digest
		if !seen[rd] {
			seen[rd] = true
			di.Digests = append(di.Digests, rd)
		}
	}
	return di, nil
}

// describeList is describe for a manifest list: no config, no layers;
// ManifestType tells callers what it is.
func (s *Service) describeList(img *cstorage.Image) (*define.Image, error) {
	mb, err := s.cs().ImageBigData(img.ID, cstorage.ImageDigestBigDataKey)
	if err != nil {
		return nil, fmt.Errorf("manifest list %s: %w", img.ID, err)
	}
	d, _ := manifest.Digest(mb)
	return &define.Image{
		ID:           img.ID,
		Digest:       d.String(),
		Names:        append([]string(nil), img.Names...),
		Created:      img.Created,
		ManifestType: manifest.GuessMIMEType(mb),
		Dangling:     len(img.Names) == 0,
	}, nil
}

// isList reports whether a stored image is a manifest list.
func (s *Service) isList(img *cstorage.Image) bool {
	mb, err := s.cs().ImageBigData(img.ID, cstorage.ImageDigestBigDataKey)
	return err == nil && manifest.MIMETypeIsMultiImage(manifest.GuessMIMEType(mb))
}

// ManifestAnnotations returns the annotations of the image's own manifest
// (build --annotation, a registry's), which podman's image inspect shows;
// an empty map when it has none or cannot be read.
func (s *Service) ManifestAnnotations(id string) map[string]string {
	out := map[string]string{}
	mb, err := s.cs().ImageBigData(id, cstorage.ImageDigestBigDataKey)
	if err != nil {
		return out
	}
	var m struct {
		Annotations map[string]string `json:"annotations"`
	}
	if json.Unmarshal(mb, &m) == nil {
		maps.Copy(out, m.Annotations)
	}
	return out
}
