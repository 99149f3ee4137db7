package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/berth-dev/berth/service"
	"github.com/moby/moby/api/types/registry"
)

// searchBackend is what the search routes need of service.
type searchBackend interface {
	ImageSearch(ctx context.Context, term string, opts service.SearchOptions) ([]service.SearchResult, error)
}

// searchParams reads the query both flavours share: term, limit and the
// filters (docker's JSON map).
func searchParams(r *http.Request) (string, service.SearchOptions, error) {
	q := r.URL.Query()
	var opts service.SearchOptions
	term := q.Get("term")
	if term == "" {
		return "", opts, badRequest(errors.New("term is required"))
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return "", opts, badRequest(fmt.Errorf("invalid limit %q", v))
		}
		opts.Limit = n
	}
	filters, err := decodeFilters(q.Get("filters"))
	if err != nil {
		return "", opts, err
	}
	if err := service.CheckSearchFilters(filters); err != nil {
		return "", opts, badRequest(err)
	}
	opts.Filters = filters
	opts.RegistryOptions.LoopbackInsecure(term)
	return term, opts, nil
}

// imageSearch is docker's GET /images/search: docker's result fields.
func imageSearch(b searchBackend) handler {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
		term, opts, err := searchParams(r)
		if err != nil {
			return err
		}
		res, err := b.ImageSearch(ctx, term, opts)
		if err != nil {
			return err
		}
		out := make([]registry.SearchResult, 0, len(res))
		for _, s := range res {
			out = append(out, registry.SearchResult{Name: s.Name, Description: s.Description, StarCount: s.Stars, IsOfficial: s.Official})
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
}

// libpodImageSearch is podman's GET /libpod/images/search: podman's
// fields, with tlsVerify and listTags.
func libpodImageSearch(b searchBackend) handler {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
		term, opts, err := searchParams(r)
		if err != nil {
			return err
		}
		q := r.URL.Query()
		if v := q.Get("tlsVerify"); v != "" {
			t, err := strconv.ParseBool(v)
			if err != nil {
				return badRequest(fmt.Errorf("invalid tlsVerify %q", v))
			}
			opts.TLSVerify = &t
		}
		opts.ListTags = q.Get("listTags") == "true"
		res, err := b.ImageSearch(ctx, term, opts)
		if err != nil {
			return err
		}
		if res == nil {
			res = []service.SearchResult{}
		}
		writeJSON(w, http.StatusOK, res)
		return nil
	}
}
