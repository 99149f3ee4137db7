package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
)

func (rt libpodRouter) registerImages(h func(string, handler)) {
	im := rt.images
	h("GET /libpod/images/json", rt.imgList)
	h("GET /libpod/images/search", libpodImageSearch(im.b))
	h("POST /libpod/images/pull", rt.imgPull)
	h("POST /libpod/images/prune", rt.imgPrune)
	h("DELETE /libpod/images/remove", rt.imgRemoveMany)
	h("GET /libpod/images/{rest...}", im.dispatch(map[string]handler{
		"json": rt.imgInspect, "exists": rt.imgExists, "history": rt.imgHistory,
	}))
	h("POST /libpod/images/{rest...}", im.dispatch(map[string]handler{"tag": im.tag}))
	h("DELETE /libpod/images/{rest...}", func(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
		return rt.imgRemove(ctx, w, r, []string{r.PathValue("rest")})
	})
}

func (rt libpodRouter) imgList(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	filters, err := decodeFilters(r.URL.Query().Get("filters"))
	if err != nil {
		return err
	}
	list, err := rt.b.ImageList(filters)
	if err != nil {
		return badRequestIf(err)
	}
	out := make([]service.ImageSummary, 0, len(list))
	for _, img := range list {
		out = append(out, service.NewImageSummary(img))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// imgInspect is podman's image inspect: berth's data is podman's shape.
func (rt libpodRouter) imgInspect(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	d, err := rt.b.ImageInspect(r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (rt libpodRouter) imgExists(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	_, err := rt.b.ImageLookup(r.PathValue("name"))
	if errors.Is(err, define.ErrNoSuchImage) {
		return err
	}
	return exists(err == nil, err, w, nil)
}

// imgHistory is docker's history body with podman's bare IDs.
func (rt libpodRouter) imgHistory(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	entries, err := rt.b.ImageHistory(r.PathValue("name"))
	if err != nil {
		return err
	}
	type item struct {
		ID        string   `json:"Id"`
		Created   int64    `json:"Created"`
		CreatedBy string   `json:"CreatedBy"`
		Tags      []string `json:"Tags"`
		Size      int64    `json:"Size"`
		Comment   string   `json:"Comment"`
	}
	out := make([]item, 0, len(entries))
	for _, e := range entries {
		it := item{ID: e.ID, Created: e.Created.Unix(), CreatedBy: e.CreatedBy, Tags: e.Tags, Size: e.Size, Comment: e.Comment}
		if it.ID == "" {
			it.ID = "<missing>"
		}
		out = append(out, it)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// imgPull streams podman's pull reports, one JSON object a line: the
// progress as {"stream"}, then {"id", "images"}, or {"error"} (the status
// is sent before the pull, so a failure is told in the stream).
func (rt libpodRouter) imgPull(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	ref := q.Get("reference")
	if ref == "" {
		return badRequest(errors.New("reference parameter cannot be empty"))
	}
	ro, err := registryAuth(r)
	if err != nil {
		return err
	}
	if v := q.Get("tlsVerify"); v != "" {
		b := boolValue(v)
		ro.TLSVerify = &b
	}
	if a := q.Get("arch"); a != "" || q.Get("os") != "" {
		p := q.Get("os")
		if p == "" {
			p = "linux"
		}
		if a != "" {
			p += "/" + a
			if v := q.Get("variant"); v != "" {
				p += "/" + v
			}
		}
		if err := platformParam(p, &ro); err != nil {
			return err
		}
	}
	opts := service.PullOptions{RegistryOptions: ro, Policy: q.Get("policy"), AllTags: boolValue(q.Get("allTags"))}
	if err := service.ValidPullPolicy(opts.Policy); err != nil {
		return badRequest(err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	var mu sync.Mutex
	send := func(v any) {
		mu.Lock()
		defer mu.Unlock()
		_ = json.NewEncoder(w).Encode(v)
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
	}
	if !boolValue(q.Get("quiet")) {
		opts.ReportWriter = lineFunc(func(line string) { send(map[string]string{"stream": line + "\n"}) })
	}
	imgs, _, err := rt.b.ImagePull(ctx, ref, opts)
	if err != nil {
		send(map[string]string{"error": err.Error()})
		return nil
	}
	ids := make([]string, 0, len(imgs))
	for _, img := range imgs {
		ids = append(ids, img.ID)
	}
	id := ""
	if len(ids) > 0 {
		id = ids[0]
	}
	send(map[string]any{"id": id, "images": ids})
	return nil
}

// libpodRmReport is podman's image remove report; errors are in it, with
// an exit code, rather than in the status.
type libpodRmReport struct {
	Deleted  []string `json:"Deleted,omitempty"`
	Untagged []string `json:"Untagged,omitempty"`
	Errors   []string `json:"Errors,omitempty"`
	ExitCode int      `json:"ExitCode"`
}

// imgRemove removes one image (DELETE /images/NAME): a missing one is
// 404, other failures the request's error.
func (rt libpodRouter) imgRemove(ctx context.Context, w http.ResponseWriter, r *http.Request, names []string) error {
	rep, err := rt.removeImages(ctx, names, boolValue(r.URL.Query().Get("force")), boolValue(r.URL.Query().Get("ignore")))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

// imgRemoveMany is DELETE /images/remove?images=...: every outcome in
// the report, the exit code podman's rmi uses (1 none such, 2 in use).
func (rt libpodRouter) imgRemoveMany(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	names := q["images"]
	var rep libpodRmReport
	var last error
	for _, n := range names {
		one, err := rt.removeImages(ctx, []string{n}, boolValue(q.Get("force")), boolValue(q.Get("ignore")))
		rep.Deleted = append(rep.Deleted, one.Deleted...)
		rep.Untagged = append(rep.Untagged, one.Untagged...)
		if err != nil {
			rep.Errors = append(rep.Errors, err.Error())
			last = err
		}
	}
	switch {
	case last == nil:
	case statusFromError(last) == http.StatusNotFound:
		rep.ExitCode = 1
	case statusFromError(last) == http.StatusConflict:
		rep.ExitCode = 2
	default:
		rep.ExitCode = 125
	}
	if len(names) == 0 {
		return badRequest(errors.New("no images named (images=)"))
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

func (rt libpodRouter) removeImages(ctx context.Context, names []string, force, ignore bool) (libpodRmReport, error) {
	var rep libpodRmReport
	for _, n := range names {
		one, err := rt.b.ImageRemove(ctx, n, force)
		if err != nil {
			if ignore && errors.Is(err, define.ErrNoSuchImage) {
				continue
			}
			return rep, err
		}
		rep.Untagged = append(rep.Untagged, one.Untagged...)
		if one.Deleted != "" {
			rep.Deleted = append(rep.Deleted, one.Deleted)
		}
		rep.Deleted = append(rep.Deleted, one.Parents...)
	}
	return rep, nil
}

// imgPrune is podman's image prune: all widens it to every unused image;
// a report per image removed.
func (rt libpodRouter) imgPrune(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	filters, err := decodeFilters(r.URL.Query().Get("filters"))
	if err != nil {
		return err
	}
	all := boolValue(r.URL.Query().Get("all"))
	var kept []string
	for _, f := range filters {
		k, v, _ := strings.Cut(f, "=")
		switch {
		case k == "dangling":
			all = all || v == "false" || v == "0"
		case k == "until" || k == "label" || k == "label!":
			kept = append(kept, f)
		default:
			return badRequest(fmt.Errorf("invalid filter %q", k))
		}
	}
	pruned, err := rt.b.ImagePrune(ctx, all, kept)
	if err != nil && len(pruned) == 0 {
		return badRequestIf(err)
	}
	out := []pruneReport{}
	for _, img := range pruned {
		out = append(out, pruneReport{ID: img.ID, Size: uint64(max(img.Size, 0))})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
