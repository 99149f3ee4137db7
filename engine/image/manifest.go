//go:build !berth_lean

package image

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	"github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/image"
	"go.podman.io/image/v5/manifest"
	"go.podman.io/image/v5/types"
	cstorage "go.podman.io/storage"
)

// A manifest list is stored like podman stores it: an image without
// layers whose "manifest" big data is the list (an OCI index here), plus
// instancesKey, which remembers where each instance can be copied from
// when the list is pushed.
const instancesKey = "berth-instances.json"

// localSource is the instances' source prefix of an image in this store.
const localSource = "containers-storage:"

// ManifestCreate stores a new, empty manifest list named name and returns
// its ID. An existing list of that name is an error unless amend, which
// returns it instead.
func (s *Service) ManifestCreate(name string, amend bool) (string, error) {
	full, err := NormalizeName(name)
	if err != nil {
		return "", err
	}
	if img, _, err := s.resolve(full); err == nil {
		if amend && s.isList(img) {
			return img.ID, nil
		}
		return "", fmt.Errorf("image name %q is already associated with image %q: %w", full, img.ID, define.ErrNameInUse)
	}
	index := v1.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: v1.MediaTypeImageIndex, Manifests: []v1.Descriptor{}}
	ib, err := json.Marshal(index)
	if err != nil {
		return "", err
	}
	d := digest.FromBytes(ib)
	img, err := s.cs().CreateImage("", []string{full}, "", "", &cstorage.ImageOptions{
		BigData: []cstorage.ImageBigDataOption{
			{Key: cstorage.ImageDigestBigDataKey, Data: ib, Digest: d},
			{Key: instancesKey, Data: []byte("{}")},
		},
	})
	if err != nil {
		return "", fmt.Errorf("creating manifest list %s: %w", full, err)
	}
	return img.ID, nil
}

// manifestList loads the list nameOrID with its instance sources.
func (s *Service) manifestList(nameOrID string) (*cstorage.Image, *v1.Index, map[digest.Digest]string, error) {
	img, _, err := s.resolve(nameOrID)
	if err != nil {
		return nil, nil, nil, err
	}
	mb, err := s.cs().ImageBigData(img.ID, cstorage.ImageDigestBigDataKey)
	if err != nil || !manifest.MIMETypeIsMultiImage(manifest.GuessMIMEType(mb)) {
		return nil, nil, nil, fmt.Errorf("%s is not a manifest list: %w", nameOrID, define.ErrInvalidArg)
	}
	list, err := manifest.ListFromBlob(mb, manifest.GuessMIMEType(mb))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("manifest list %s: %w", nameOrID, err)
	}
	oci, err := list.ConvertToMIMEType(v1.MediaTypeImageIndex)
	if err != nil {
		return nil, nil, nil, err
	}
	ob, err := oci.Serialize()
	if err != nil {
		return nil, nil, nil, err
	}
	var index v1.Index
	if err := json.Unmarshal(ob, &index); err != nil {
		return nil, nil, nil, err
	}
	sources := map[digest.Digest]string{}
	if b, err := s.cs().ImageBigData(img.ID, instancesKey); err == nil {
		_ = json.Unmarshal(b, &sources)
	}
	return img, &index, sources, nil
}

// saveList writes the list's index and sources back.
func (s *Service) saveList(id string, index *v1.Index, sources map[digest.Digest]string) error {
	ib, err := json.Marshal(index)
	if err != nil {
		return err
	}
	sb, err := json.Marshal(sources)
	if err != nil {
		return err
	}
	if err := s.cs().SetImageBigData(id, instancesKey, sb, nil); err != nil {
		return fmt.Errorf("saving manifest list: %w", err)
	}
	if err := s.cs().SetImageBigData(id, cstorage.ImageDigestBigDataKey, ib, manifest.Digest); err != nil {
		return fmt.Errorf("saving manifest list: %w", err)
	}
	return nil
}

// ManifestAdd adds the image ref to the list and returns the digest of
// the instance added (the first one with All). ref is a transport
// reference, else a local image, else a registry name.
func (s *Service) ManifestAdd(ctx context.Context, listName, ref string, opts ManifestAddOptions) (digest.Digest, error) {
	img, index, sources, err := s.manifestList(listName)
	if err != nil {
		return "", err
	}
	sys, err := s.sysContext(opts.RegistryOptions)
	if err != nil {
		return "", err
	}
	src, source, err := s.instanceSource(ref)
	if err != nil {
		return "", err
	}
	is, err := src.NewImageSource(ctx, sys)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", ref, err)
	}
	defer is.Close()
	mb, mt, err := is.GetManifest(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("reading manifest of %s: %w", ref, err)
	}
	var instances []*digest.Digest
	if manifest.MIMETypeIsMultiImage(mt) {
		list, err := manifest.ListFromBlob(mb, mt)
		if err != nil {
			return "", err
		}
		if opts.All {
			for _, d := range list.Instances() {
				instances = append(instances, &d)
			}
		} else {
			d, err := list.ChooseInstance(sys)
			if err != nil {
				return "", fmt.Errorf("choosing an instance of %s: %w", ref, err)
			}
			instances = []*digest.Digest{&d}
		}
	} else {
		instances = []*digest.Digest{nil}
	}
	var first digest.Digest
	for _, inst := range instances {
		desc, err := instanceDescriptor(ctx, sys, is, inst, opts)
		if err != nil {
			return "", fmt.Errorf("%s: %w", ref, err)
		}
		index.Manifests = slices.DeleteFunc(index.Manifests, func(m v1.Descriptor) bool { return m.Digest == desc.Digest })
		index.Manifests = append(index.Manifests, desc)
		if inst == nil {
			sources[desc.Digest] = source
		} else {
			sources[desc.Digest] = source + "@" + desc.Digest.String()
		}
		if first == "" {
			first = desc.Digest
		}
	}
	if err := s.saveList(img.ID, index, sources); err != nil {
		return "", err
	}
	return first, nil
}

// instanceSource resolves what `manifest add` was given to a reference
// and the string that finds it again at push time.
func (s *Service) instanceSource(ref string) (types.ImageReference, string, error) {
	within, isStorage := strings.CutPrefix(ref, localSource)
	if isStorage && strings.HasPrefix(within, "[") {
		return nil, "", fmt.Errorf("%s: only images of this store can be added from containers-storage: %w", ref, define.ErrInvalidArg)
	}
	if !isStorage {
		if r, ok, err := s.parseTransportRef(ref); ok || err != nil {
			if err != nil {
				return nil, "", err
			}
			return r, transportName(r), nil
		}
		within = ref
	}
	if local, _, err := s.resolve(within); err == nil || isStorage {
		if err != nil {
			return nil, "", err
		}
		if s.isList(local) {
			return nil, "", fmt.Errorf("%s is a manifest list, add its images: %w", ref, define.ErrInvalidArg)
		}
		r, err := s.storageRef("", local.ID)
		return r, localSource + local.ID, err
	}
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return nil, "", fmt.Errorf("invalid image reference %q: %v: %w", ref, err, define.ErrInvalidArg)
	}
	r, err := dockerRef(reference.TagNameOnly(named))
	if err != nil {
		return nil, "", err
	}
	return r, transportName(r), nil
}

// instanceDescriptor reads one image (inst of a list, or the single image
// when nil) and describes it for the list, platform from its config.
func instanceDescriptor(ctx context.Context, sys *types.SystemContext, is types.ImageSource, inst *digest.Digest, opts ManifestAddOptions) (v1.Descriptor, error) {
	mb, mt, err := is.GetManifest(ctx, inst)
	if err != nil {
		return v1.Descriptor{}, err
	}
	img, err := image.FromUnparsedImage(ctx, sys, image.UnparsedInstance(is, inst))
	if err != nil {
		return v1.Descriptor{}, err
	}
	cfg, err := img.OCIConfig(ctx)
	if err != nil {
		return v1.Descriptor{}, err
	}
	d := digest.FromBytes(mb)
	if inst != nil {
		d = *inst
	}
	p := &v1.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant, OSVersion: cfg.OSVersion}
	if opts.OS != "" {
		p.OS = opts.OS
	}
	if opts.Arch != "" {
		p.Architecture = opts.Arch
	}
	if opts.Variant != "" {
		p.Variant = opts.Variant
	}
	desc := v1.Descriptor{MediaType: manifest.NormalizedMIMEType(mt), Digest: d, Size: int64(len(mb)), Platform: p}
	if len(opts.Annotations) > 0 {
		desc.Annotations = maps.Clone(opts.Annotations)
	}
	return desc, nil
}

// ManifestRemove removes the instance d from the list.
func (s *Service) ManifestRemove(listName string, d digest.Digest) error {
	img, index, sources, err := s.manifestList(listName)
	if err != nil {
		return err
	}
	n := len(index.Manifests)
	index.Manifests = slices.DeleteFunc(index.Manifests, func(m v1.Descriptor) bool { return m.Digest == d })
	if len(index.Manifests) == n {
		return fmt.Errorf("%s is not in manifest list %s: %w", d, listName, define.ErrNoSuchImage)
	}
	delete(sources, d)
	return s.saveList(img.ID, index, sources)
}

// ManifestInspect returns the list nameOrID as stored, or, when there is
// no such local list, the raw manifest of the registry image.
func (s *Service) ManifestInspect(ctx context.Context, nameOrID string, ro RegistryOptions) ([]byte, error) {
	_, index, _, err := s.manifestList(nameOrID)
	if err == nil {
		return json.Marshal(index)
	}
	if !errors.Is(err, define.ErrNoSuchImage) && !errors.Is(err, define.ErrInvalidArg) {
		return nil, err
	}
	localErr := err
	sys, err := s.sysContext(ro)
	if err != nil {
		return nil, err
	}
	ref, ok, err := s.parseTransportRef(nameOrID)
	if err != nil {
		return nil, err
	}
	if !ok {
		named, perr := reference.ParseNormalizedNamed(nameOrID)
		if perr != nil || !hasDomain(nameOrID) {
			return nil, localErr
		}
		if ref, err = dockerRef(reference.TagNameOnly(named)); err != nil {
			return nil, err
		}
	}
	is, err := ref.NewImageSource(ctx, sys)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", nameOrID, err)
	}
	defer is.Close()
	mb, _, err := is.GetManifest(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("reading manifest of %s: %w", nameOrID, err)
	}
	return mb, nil
}

// ManifestDelete removes the list itself (never an image).
func (s *Service) ManifestDelete(nameOrID string) (string, error) {
	img, _, _, err := s.manifestList(nameOrID)
	if err != nil {
		return "", err
	}
	if _, err := s.cs().DeleteImage(img.ID, true); err != nil {
		return "", fmt.Errorf("removing manifest list %s: %w", nameOrID, err)
	}
	return img.ID, nil
}
