package service

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/image"
)

// SearchOptions are the options of Search.
type SearchOptions struct {
	image.SearchOptions
	// Filters are podman's search filters: stars=N, is-automated=BOOL,
	// is-official=BOOL.
	Filters []string
}

// SearchResult is one line of `search`.
type SearchResult = image.SearchResult

// CheckSearchFilters validates search filters before any work.
func CheckSearchFilters(filters []string) error {
	_, err := searchMatcher(filters)
	return err
}

// Search asks registries for term and keeps the results the filters
// select.
func Search(ctx context.Context, rt *engine.Runtime, term string, o SearchOptions) ([]SearchResult, error) {
	match, err := searchMatcher(o.Filters)
	if err != nil {
		return nil, err
	}
	images, err := rt.Images()
	if err != nil {
		return nil, err
	}
	res, err := images.Search(ctx, term, o.SearchOptions)
	if err != nil {
		return nil, err
	}
	out := res[:0]
	for _, r := range res {
		if match(r) {
			out = append(out, r)
		}
	}
	return out, nil
}

func searchMatcher(filters []string) (func(SearchResult) bool, error) {
	var conds []func(SearchResult) bool
	for _, f := range filters {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, fmt.Errorf("invalid filter %q, should be in the format key=value: %w", f, define.ErrInvalidArg)
		}
		switch k {
		case "stars":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("non-integer value for stars filter: %q: %w", v, define.ErrInvalidArg)
			}
			conds = append(conds, func(r SearchResult) bool { return r.Stars >= n })
		case "is-automated", "is-official":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return nil, fmt.Errorf("non-boolean value for %s filter: %q: %w", k, v, define.ErrInvalidArg)
			}
			if k == "is-automated" {
				conds = append(conds, func(r SearchResult) bool { return r.Automated == b })
			} else {
				conds = append(conds, func(r SearchResult) bool { return r.Official == b })
			}
		default:
			return nil, fmt.Errorf("invalid filter type %q: %w", k, define.ErrInvalidArg)
		}
	}
	return func(r SearchResult) bool {
		for _, c := range conds {
			if !c(r) {
				return false
			}
		}
		return true
	}, nil
}
