//go:build !berth_lean

package image

import (
	"context"
	"fmt"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	"go.podman.io/image/v5/docker"
	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/pkg/sysregistriesv2"
)

// defaultSearchLimit is podman's number of results per registry.
const defaultSearchLimit = 25

// Search asks registries for repositories whose name contains term: the
// registry term names (registry/name), else every unqualified-search
// registry of registries.conf. A registry answers through its /v2/_catalog
// or docker's /v1/search. With ListTags, term is one repository and the
// results are its tags.
func (s *Service) Search(ctx context.Context, term string, o SearchOptions) ([]SearchResult, error) {
	sys, err := s.sysContext(o.RegistryOptions)
	if err != nil {
		return nil, err
	}
	if o.ListTags {
		return s.searchTags(ctx, term, o)
	}
	var registries []string
	image := term
	if hasDomain(term) {
		registry, rest, _ := strings.Cut(term, "/")
		registries, image = []string{registry}, rest
	} else if registries, err = sysregistriesv2.UnqualifiedSearchRegistries(sys); err != nil {
		return nil, err
	}
	if len(registries) == 0 {
		return nil, fmt.Errorf("no registries to search for %q: name one (REGISTRY/NAME) or set unqualified-search-registries in registries.conf: %w", term, define.ErrInvalidArg)
	}
	limit := o.Limit
	if limit <= 0 {
		limit = defaultSearchLimit
	}
	var out []SearchResult
	var errs []error
	for _, reg := range registries {
		res, err := docker.SearchRegistry(ctx, sys, reg, image, limit)
		if err != nil {
			errs = append(errs, fmt.Errorf("searching registry %q: %w", reg, err))
			continue
		}
		for _, r := range res {
			name := r.Name
			if !strings.HasPrefix(name, reg+"/") {
				name = reg + "/" + name
			}
			out = append(out, SearchResult{Index: reg, Name: name, Description: r.Description,
				Stars: r.StarCount, Official: r.IsOfficial, Automated: r.IsAutomated})
		}
	}
	if len(out) == 0 && len(errs) > 0 {
		return nil, errs[0]
	}
	return out, nil
}

// searchTags lists the tags of one repository (search --list-tags).
func (s *Service) searchTags(ctx context.Context, term string, o SearchOptions) ([]SearchResult, error) {
	named, err := reference.ParseNormalizedNamed(term)
	if err != nil {
		return nil, fmt.Errorf("invalid repository %q: %v: %w", term, err, define.ErrInvalidArg)
	}
	if _, tagged := named.(reference.Tagged); tagged {
		return nil, fmt.Errorf("tags can only be listed for a repository without a tag: %q: %w", term, define.ErrInvalidArg)
	}
	if _, digested := named.(reference.Digested); digested {
		return nil, fmt.Errorf("tags can only be listed for a repository without a digest: %q: %w", term, define.ErrInvalidArg)
	}
	ref, err := dockerRef(reference.TagNameOnly(named))
	if err != nil {
		return nil, err
	}
	sys, err := s.sysContext(o.RegistryOptions)
	if err != nil {
		return nil, err
	}
	tags, err := docker.GetRepositoryTags(ctx, sys, ref)
	if err != nil {
		return nil, fmt.Errorf("getting repository tags: %w", err)
	}
	name := reference.TrimNamed(named).String()
	out := make([]SearchResult, 0, len(tags))
	for _, t := range tags {
		if o.Limit > 0 && len(out) == o.Limit {
			break
		}
		out = append(out, SearchResult{Index: reference.Domain(named), Name: name, Tag: t})
	}
	return out, nil
}
