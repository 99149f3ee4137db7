package service

import (
	"context"
	"errors"
	"strings"

	"github.com/berth-dev/berth/engine"
)

// PruneStorageContainers removes the containers in storage that berth has
// no record of and returns their IDs: with buildOnly, only the working
// containers of builds that were killed ("berth-build-" names: system
// prune --build); otherwise every one (system prune --external, as
// podman's: leftovers of unclean shutdowns).
func PruneStorageContainers(ctx context.Context, rt *engine.Runtime, buildOnly bool) ([]string, error) {
	store, err := rt.Storage()
	if err != nil {
		return nil, err
	}
	ctrs, err := store.Storage().Containers()
	if err != nil {
		return nil, err
	}
	ours, err := rt.ListContainers()
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, c := range ours {
		known[c.ID()] = true
	}
	var removed []string
	var errs []error
	for _, c := range ctrs {
		if known[c.ID] || (buildOnly && !isBuildContainer(c.Names)) {
			continue
		}
		if ctx.Err() != nil {
			return removed, ctx.Err()
		}
		if err := store.DeleteContainer(c.ID); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, c.ID)
	}
	return removed, errors.Join(errs...)
}

func isBuildContainer(names []string) bool {
	for _, n := range names {
		if strings.HasPrefix(n, "berth-build-") {
			return true
		}
	}
	return false
}
