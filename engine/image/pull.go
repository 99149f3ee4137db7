//go:build !berth_lean

package image

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	"github.com/opencontainers/go-digest"
	"github.com/sirupsen/logrus"
	"go.podman.io/image/v5/copy"
	"go.podman.io/image/v5/docker"
	dockerarchive "go.podman.io/image/v5/docker/archive"
	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/manifest"
	ociarchive "go.podman.io/image/v5/oci/archive"
	"go.podman.io/image/v5/oci/layout"
	"go.podman.io/image/v5/pkg/shortnames"
	"go.podman.io/image/v5/types"
)

func (s *Service) pull(ctx context.Context, name string, opts PullOptions) (_ []*define.Image, local bool, _ error) {
	if err := ValidPullPolicy(opts.Policy); err != nil {
		return nil, false, err
	}
	if name == "" {
		return nil, false, fmt.Errorf("empty image name: %w", define.ErrInvalidArg)
	}
	name = dropTagOfDigested(name)
	policy := orDefault(opts.Policy, PullAlways)
	sys, err := s.sysContext(opts.RegistryOptions)
	if err != nil {
		return nil, false, err
	}
	ref, isTransport, err := s.parseTransportRef(name)
	if err != nil {
		return nil, false, err
	}
	if isTransport && ref.Transport().Name() != transportDocker {
		if opts.AllTags {
			return nil, false, fmt.Errorf("--all-tags needs a registry repository, not %s: %w", name, define.ErrInvalidArg)
		}
		img, err := s.pullTransport(ctx, ref, sys, opts)
		if err != nil {
			return nil, false, err
		}
		return []*define.Image{img}, false, nil
	}

	if policy != PullAlways && !opts.AllTags {
		img, err := s.localForPolicy(ctx, name, policy, sys, opts.RegistryOptions)
		if err != nil {
			return nil, false, err
		}
		if img != nil {
			return []*define.Image{img}, true, nil
		}
	}

	if opts.AllTags {
		imgs, err := s.pullAllTags(ctx, name, ref, sys, opts)
		return imgs, false, err
	}
	var (
		candidates []reference.Named
		resolved   *shortnames.Resolved
	)
	if isTransport {
		candidates = []reference.Named{ref.DockerReference()}
	} else {
		var desc string
		if candidates, desc, resolved, err = pullCandidates(sys, name); err != nil {
			return nil, false, err
		}
		if desc != "" && opts.ReportWriter != nil {
			fmt.Fprintln(opts.ReportWriter, desc)
		}
	}
	var errs []error
	for i, c := range candidates {
		if opts.ReportWriter != nil {
			fmt.Fprintf(opts.ReportWriter, "Trying to pull %s...\n", c.String())
		}
		img, err := s.pullNamed(ctx, c, sys, opts.ReportWriter)
		if err == nil {
			if resolved != nil {
				// Remembers a short name the user picked at the prompt.
				if err := resolved.PullCandidates[i].Record(); err != nil {
					logrus.Warnf("%v", err)
				}
			}
			return []*define.Image{img}, false, nil
		}
		if ctx.Err() != nil {
			return nil, false, err
		}
		errs = append(errs, err)
	}
	if len(errs) == 1 {
		return nil, false, errs[0]
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return nil, false, fmt.Errorf("%d errors occurred while pulling:\n * %s: %w", len(errs), strings.Join(msgs, "\n * "), errors.Join(errs...))
}

// remoteDiffers reports whether the registry's manifest digest for named
// is none of the local image's digests.
func (s *Service) remoteDiffers(ctx context.Context, named reference.Named, local string, locals []digest.Digest, sys *types.SystemContext) (bool, error) {
	ref, err := dockerRef(named)
	if err != nil {
		return false, err
	}
	d, err := docker.GetDigest(ctx, sys, ref)
	if err != nil {
		return false, err
	}
	return d.String() != local && !slices.Contains(locals, d), nil
}

// pullNamed copies one registry image into the store under its name.
func (s *Service) pullNamed(ctx context.Context, named reference.Named, sys *types.SystemContext, report io.Writer) (*define.Image, error) {
	src, err := dockerRef(named)
	if err != nil {
		return nil, err
	}
	dest, err := s.storageRef(named.String(), "")
	if err != nil {
		return nil, err
	}
	man, err := s.copyAtomically(ctx, dest, src, sys, report)
	if err != nil {
		return nil, err
	}
	return s.lookupManifest(man)
}

// pullAllTags pulls every tag of a repository.
func (s *Service) pullAllTags(ctx context.Context, name string, ref types.ImageReference, sys *types.SystemContext, opts PullOptions) ([]*define.Image, error) {
	if typed, err := reference.ParseNormalizedNamed(strings.TrimPrefix(name, "docker://")); err == nil {
		_, tagged := typed.(reference.Tagged)
		if tagged || isDigested(typed) {
			return nil, fmt.Errorf("--all-tags: %q must not carry a tag or digest: %w", name, define.ErrInvalidArg)
		}
	}
	var repo reference.Named
	if ref != nil {
		repo = ref.DockerReference()
	} else {
		cands, _, _, err := pullCandidates(sys, name)
		if err != nil {
			return nil, err
		}
		if len(cands) != 1 {
			return nil, fmt.Errorf("--all-tags: %q resolves to several repositories, use a fully qualified name: %w", name, define.ErrInvalidArg)
		}
		repo = cands[0]
	}
	base := reference.TrimNamed(repo)
	listRef, err := dockerRef(reference.TagNameOnly(base))
	if err != nil {
		return nil, err
	}
	tags, err := docker.GetRepositoryTags(ctx, sys, listRef)
	if err != nil {
		return nil, fmt.Errorf("listing tags of %s: %w", base.Name(), err)
	}
	var out []*define.Image
	for _, t := range tags {
		named, err := reference.WithTag(base, t)
		if err != nil {
			return nil, err
		}
		if opts.ReportWriter != nil {
			fmt.Fprintf(opts.ReportWriter, "Trying to pull %s...\n", named.String())
		}
		img, err := s.pullNamed(ctx, named, sys, opts.ReportWriter)
		if err != nil {
			return nil, err
		}
		out = append(out, img)
	}
	return out, nil
}

func isDigested(n reference.Named) bool {
	_, ok := n.(reference.Digested)
	return ok
}

// pullTransport copies an image from a non-registry transport, naming it
// the way podman does: the name inside an archive or layout when there is
// one, else no name (the image is listed by ID).
func (s *Service) pullTransport(ctx context.Context, ref types.ImageReference, sys *types.SystemContext, opts PullOptions) (*define.Image, error) {
	var names []string
	switch ref.Transport().Name() {
	case dockerarchive.Transport.Name():
		if named := ref.DockerReference(); named != nil {
			names = []string{named.String()}
		} else {
			r, err := dockerarchive.NewReader(sys, strings.SplitN(ref.StringWithinTransport(), ":", 2)[0])
			if err != nil {
				return nil, err
			}
			images, err := r.List()
			r.Close()
			if err != nil {
				return nil, err
			}
			if len(images) > 0 {
				for _, r := range images[0] {
					if n := r.DockerReference(); n != nil {
						names = append(names, n.String())
					}
				}
			}
		}
	case ociarchive.Transport.Name():
		desc, err := ociarchive.LoadManifestDescriptorWithContext(sys, ref)
		if err != nil {
			return nil, err
		}
		names = annotationName(desc.Annotations["org.opencontainers.image.ref.name"])
	case layout.Transport.Name():
		if _, n, ok := strings.Cut(ref.StringWithinTransport(), ":"); ok {
			names = annotationName(n)
		}
	default:
		if named := ref.DockerReference(); named != nil {
			names = []string{named.String()}
		}
	}
	id := ""
	first := ""
	if len(names) > 0 {
		first = names[0]
	} else {
		var err error
		if id, err = configID(ctx, sys, ref); err != nil {
			return nil, err
		}
	}
	dest, err := s.storageRef(first, id)
	if err != nil {
		return nil, err
	}
	man, err := s.copyAtomically(ctx, dest, ref, sys, opts.ReportWriter)
	if err != nil {
		return nil, err
	}
	img, err := s.lookupManifest(man)
	if err != nil {
		return nil, err
	}
	if len(names) > 1 {
		if err := s.cs().AddNames(img.ID, names[1:]); err != nil {
			return nil, fmt.Errorf("naming pulled image: %w", err)
		}
		return s.Lookup(img.ID)
	}
	return img, nil
}

// annotationName turns an OCI ref.name into a stored name: a full image
// name as podman writes it, or a bare tag/name ("latest", "myimage")
// under localhost/.
func annotationName(n string) []string {
	if n == "" {
		return nil
	}
	full, err := NormalizeName(n)
	if err != nil {
		return nil
	}
	return []string{full}
}

// copyAtomically copies src into the store and, if the copy fails,
// removes the layers it had already committed, so that an interrupted or
// corrupt pull leaves nothing half-stored and a retry starts clean.
func (s *Service) copyAtomically(ctx context.Context, dest, src types.ImageReference, sys *types.SystemContext, report io.Writer) (_ []byte, retErr error) {
	before, err := s.layerSet()
	if err != nil {
		return nil, err
	}
	defer func() {
		if retErr != nil {
			s.removeNewOrphanLayers(before)
		}
	}()
	man, err := s.copyImageWith(ctx, dest, src, report, sys, nil)
	if err != nil {
		return nil, err
	}
	return man, nil
}

// lookupManifest returns the stored image whose config the manifest names.
func (s *Service) lookupManifest(man []byte) (*define.Image, error) {
	m, err := manifest.FromBlob(man, manifest.GuessMIMEType(man))
	if err != nil {
		return nil, fmt.Errorf("pulled manifest: %w", err)
	}
	return s.Lookup(m.ConfigInfo().Digest.Encoded())
}

// copyImageWith is copyImage with a source context other than the
// service's default (registry credentials, TLS, platform).
func (s *Service) copyImageWith(ctx context.Context, dest, src types.ImageReference, report io.Writer, srcSys, destSys *types.SystemContext, tweaks ...func(*copy.Options)) ([]byte, error) {
	return s.copyImage(ctx, dest, src, report, destSys, append([]func(*copy.Options){func(o *copy.Options) {
		o.SourceCtx = srcSys
	}}, tweaks...)...)
}

// dropTagOfDigested strips the tag of a registry name that has both a tag
// and a digest (busybox:1.36@sha256:…): the digest alone says which image,
// and docker and podman ignore the tag the same way.
func dropTagOfDigested(name string) string {
	prefix := ""
	if strings.HasPrefix(name, "docker://") {
		prefix, name = "docker://", strings.TrimPrefix(name, "docker://")
	} else if namesTransport(name) {
		return name
	}
	at := strings.Index(name, "@")
	if at < 0 {
		return prefix + name
	}
	repo := name[:at]
	if c := strings.LastIndex(repo, ":"); c > strings.LastIndex(repo, "/") {
		repo = repo[:c]
	}
	return prefix + repo + name[at:]
}
