package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/errdefs"
	"github.com/berth-dev/berth/service"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/storage"
)

// imageBackend is what the image routes need of service.
type imageBackend interface {
	ImageList(filters []string) ([]*define.Image, error)
	ImageInspect(name string) (*define.InspectImageData, error)
	ImageHistory(name string) ([]service.HistoryEntry, error)
	ImageTag(name, ref string) error
	ImageRemove(ctx context.Context, name string, force bool) (service.ImageRemoveReport, error)
	ImagePrune(ctx context.Context, all bool, filters []string) ([]*define.Image, error)
	ImagePull(ctx context.Context, ref string, opts service.PullOptions) ([]*define.Image, bool, error)
	ImagePush(ctx context.Context, name string, opts service.PushOptions) (service.PushReport, error)
	ImageImport(ctx context.Context, r io.Reader, opts service.ImportOptions) (*define.Image, error)
	ImageLoad(ctx context.Context, r io.Reader) ([]string, error)
	ImageSave(ctx context.Context, names []string, w io.Writer) error
	ContainerCommit(ctx context.Context, name string, opts service.CommitOptions, pause bool) (*define.Image, error)
	RegistryLogin(ctx context.Context, server, user, password string) error
	searchBackend
}

type imageRouter struct{ b imageBackend }

// register: image names hold slashes (localhost/busybox:latest), which a
// {name} wildcard (one segment) cannot match, so the per-image routes
// take the rest of the path and dispatch on its last segment. The fixed
// routes (/images/json, /images/create...) are more specific and win.
func (rt imageRouter) register(s *Server) {
	s.handle("GET /images/json", rt.list)
	s.handle("GET /images/get", rt.saveMany)
	s.handle("GET /images/search", imageSearch(rt.b))
	s.handle("POST /images/create", rt.create)
	s.handle("POST /images/load", rt.load)
	s.handle("POST /images/prune", rt.prune)
	s.handle("POST /commit", rt.commit)
	s.handle("POST /auth", rt.auth)
	s.handle("GET /images/{rest...}", rt.dispatch(map[string]handler{
		"json": rt.inspect, "history": rt.history, "get": rt.save,
	}))
	s.handle("POST /images/{rest...}", rt.dispatch(map[string]handler{
		"tag": rt.tag, "push": rt.push,
	}))
	s.handle("DELETE /images/{rest...}", rt.remove)
}

// dispatch routes /images/NAME/VERB to the handler of VERB, with NAME as
// the path value "name".
func (rt imageRouter) dispatch(verbs map[string]handler) handler {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
		rest := r.PathValue("rest")
		i := strings.LastIndex(rest, "/")
		if i <= 0 || verbs[rest[i+1:]] == nil {
			return notFound{}
		}
		r.SetPathValue("name", rest[:i])
		return verbs[rest[i+1:]](ctx, w, r)
	}
}

func (rt imageRouter) list(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	filters, err := decodeFilters(q.Get("filters"))
	if err != nil {
		return err
	}
	// The old API's ?filter=NAME is a reference filter.
	if f := q.Get("filter"); f != "" {
		filters = append(filters, "reference="+f)
	}
	list, err := rt.b.ImageList(filters)
	if err != nil {
		return badRequestIf(err)
	}
	var refs []string
	for _, f := range filters {
		if v, ok := strings.CutPrefix(f, "reference="); ok {
			refs = append(refs, v)
		}
	}
	out := make([]image.Summary, 0, len(list))
	for _, img := range list {
		out = append(out, imageSummary(img, refs))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// imageSummary is one docker images row: the names matching refs (all
// without refs); Containers and SharedSize unknown (-1), as docker's list.
func imageSummary(img *define.Image, refs []string) image.Summary {
	s := image.Summary{
		ID: "sha256:" + img.ID, ParentID: img.Parent,
		RepoTags: matchingNames(img.Names, refs), RepoDigests: matchingNames(img.Digests, refs),
		Created: img.Created.Unix(), Size: img.Size, Labels: img.Config.Labels,
		Containers: -1, SharedSize: -1,
	}
	if s.Labels == nil {
		s.Labels = map[string]string{}
	}
	if s.ParentID != "" {
		s.ParentID = "sha256:" + s.ParentID
	}
	return s
}

func (rt imageRouter) inspect(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	d, err := rt.b.ImageInspect(r.PathValue("name"))
	if err != nil {
		return noSuchImage(r.PathValue("name"), err)
	}
	resp := image.InspectResponse{
		ID:           "sha256:" + d.ID,
		RepoTags:     nonNil(d.RepoTags),
		RepoDigests:  nonNil(d.RepoDigests),
		Comment:      d.Comment,
		Author:       d.Author,
		Architecture: d.Architecture,
		Os:           d.Os,
		Size:         d.Size,
		RootFS:       image.RootFS{Type: d.RootFS.Type, Layers: d.RootFS.Layers},
		GraphDriver:  &storage.DriverData{Name: d.GraphDriver.Name, Data: d.GraphDriver.Data},
	}
	if d.Created != nil {
		resp.Created = d.Created.UTC().Format(time.RFC3339Nano)
	}
	if d.Config != nil {
		resp.Config = &dockerspec.DockerOCIImageConfig{ImageConfig: *d.Config}
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func (rt imageRouter) history(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	entries, err := rt.b.ImageHistory(r.PathValue("name"))
	if err != nil {
		return noSuchImage(r.PathValue("name"), err)
	}
	out := make([]image.HistoryResponseItem, 0, len(entries))
	for _, e := range entries {
		item := image.HistoryResponseItem{
			ID: "<missing>", Created: e.Created.Unix(), CreatedBy: e.CreatedBy,
			Size: e.Size, Comment: e.Comment, Tags: e.Tags,
		}
		if e.ID != "" {
			item.ID = "sha256:" + e.ID
		}
		out = append(out, item)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (rt imageRouter) tag(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	repo, tag := q.Get("repo"), q.Get("tag")
	if repo == "" {
		return badRequest(errors.New("repository name (repo) is required"))
	}
	ref := repo
	if tag != "" {
		ref += ":" + tag
	}
	if err := rt.b.ImageTag(r.PathValue("name"), ref); err != nil {
		return badRequestIf(noSuchImage(r.PathValue("name"), err))
	}
	w.WriteHeader(http.StatusCreated)
	return nil
}

func (rt imageRouter) remove(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	rep, err := rt.b.ImageRemove(ctx, r.PathValue("rest"), boolValue(r.URL.Query().Get("force")))
	if err != nil {
		return noSuchImage(r.PathValue("rest"), err)
	}
	out := []image.DeleteResponse{}
	for _, u := range rep.Untagged {
		out = append(out, image.DeleteResponse{Untagged: u})
	}
	if rep.Deleted != "" {
		out = append(out, image.DeleteResponse{Deleted: "sha256:" + rep.Deleted})
	}
	for _, id := range rep.Parents {
		out = append(out, image.DeleteResponse{Deleted: "sha256:" + id})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// prune: dangling=false widens the prune to every unused image, as
// docker image prune -a sends it; the other filters narrow it.
func (rt imageRouter) prune(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	filters, err := decodeFilters(r.URL.Query().Get("filters"))
	if err != nil {
		return err
	}
	all := false
	kept := filters[:0:0]
	for _, f := range filters {
		switch f {
		case "dangling=false", "dangling=0":
			all = true
			continue
		case "dangling=true", "dangling=1":
			continue
		}
		if k, _, _ := strings.Cut(f, "="); k != "until" && k != "label" {
			return badRequest(fmt.Errorf("invalid filter %q", k))
		}
		kept = append(kept, f)
	}
	pruned, err := rt.b.ImagePrune(ctx, all, kept)
	if err != nil && len(pruned) == 0 {
		return badRequestIf(err)
	}
	rep := image.PruneReport{ImagesDeleted: []image.DeleteResponse{}}
	for _, img := range pruned {
		for _, n := range img.Names {
			rep.ImagesDeleted = append(rep.ImagesDeleted, image.DeleteResponse{Untagged: n})
		}
		rep.ImagesDeleted = append(rep.ImagesDeleted, image.DeleteResponse{Deleted: "sha256:" + img.ID})
		rep.SpaceReclaimed += uint64(max(img.Size, 0))
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

// matchingNames are the names (or digested names) a reference filter
// asked for: docker lists an image under those only.
func matchingNames(names, refs []string) []string {
	if len(refs) == 0 {
		return nonNil(names)
	}
	out := []string{}
	for _, n := range names {
		for _, ref := range refs {
			if service.NameMatches(n, ref) {
				out = append(out, n)
				break
			}
		}
	}
	return out
}

// noSuchImage words a missing image as docker does: clients match on it.
func noSuchImage(name string, err error) error {
	if errors.Is(err, define.ErrNoSuchImage) {
		return errdefs.New(errdefs.ErrNotFound, "No such image: "+name)
	}
	return err
}

// nonNil returns s, or an empty slice for nil: docker sends [] not null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
