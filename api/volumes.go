package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
	"github.com/moby/moby/api/types/volume"
)

// volumeBackend is what the volume routes need of service.
type volumeBackend interface {
	VolumeList(filters []string) ([]*define.InspectVolume, error)
	VolumeInspect(name string) (*define.InspectVolume, error)
	VolumeCreate(ctx context.Context, o service.VolumeOptions) (*define.InspectVolume, error)
	VolumeRemove(ctx context.Context, name string, force bool) error
	VolumePrune(ctx context.Context, filters []string, anonymousOnly bool) ([]string, uint64, error)
}

type volumeRouter struct{ b volumeBackend }

func (rt volumeRouter) register(s *Server) {
	s.handle("GET /volumes", rt.list)
	s.handle("GET /volumes/{$}", rt.list)
	s.handle("GET /volumes/{name}", rt.inspect)
	s.handle("POST /volumes/create", rt.create)
	s.handle("DELETE /volumes/{name}", rt.remove)
	s.handle("POST /volumes/prune", rt.prune)
}

func (rt volumeRouter) list(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	filters, err := decodeFilters(r.URL.Query().Get("filters"))
	if err != nil {
		return err
	}
	vols, err := rt.b.VolumeList(filters)
	if err != nil {
		return err
	}
	out := volume.ListResponse{Volumes: make([]volume.Volume, 0, len(vols)), Warnings: []string{}}
	for _, v := range vols {
		out.Volumes = append(out.Volumes, dockerVolume(v))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// dockerVolume is a berth volume in docker's words.
func dockerVolume(v *define.InspectVolume) volume.Volume {
	return volume.Volume{
		Name:       v.Name,
		Driver:     v.Driver,
		Mountpoint: v.Mountpoint,
		CreatedAt:  v.CreatedAt.Format(time.RFC3339),
		Labels:     nonNilMap(v.Labels),
		Options:    nonNilMap(v.Options),
		Scope:      "local",
	}
}

func (rt volumeRouter) inspect(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	v, err := rt.b.VolumeInspect(r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, dockerVolume(v))
	return nil
}

// create answers with the volume of that name when it exists already, as
// docker does (compose creates its volumes on every up).
func (rt volumeRouter) create(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	var req volume.CreateRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	if req.ClusterVolumeSpec != nil {
		return badRequest(fmt.Errorf("cluster volumes are not supported"))
	}
	v, err := rt.b.VolumeCreate(ctx, service.VolumeOptions{
		Name:           req.Name,
		Driver:         req.Driver,
		Labels:         req.Labels,
		Options:        req.DriverOpts,
		IgnoreExisting: true,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, dockerVolume(v))
	return nil
}

func (rt volumeRouter) remove(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	if err := rt.b.VolumeRemove(ctx, r.PathValue("name"), boolValue(r.URL.Query().Get("force"))); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// prune removes unused anonymous volumes, or every unused one with the
// filter all=true (docker's API 1.42 and later).
func (rt volumeRouter) prune(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	filters, err := decodeFilters(r.URL.Query().Get("filters"))
	if err != nil {
		return err
	}
	anonymousOnly := true
	var pass []string
	for _, f := range filters {
		if k, v, _ := strings.Cut(f, "="); k == "all" {
			anonymousOnly = !boolValue(v)
			continue
		}
		pass = append(pass, f)
	}
	removed, size, err := rt.b.VolumePrune(ctx, pass, anonymousOnly)
	if err != nil {
		return err
	}
	if removed == nil {
		removed = []string{}
	}
	writeJSON(w, http.StatusOK, volume.PruneReport{VolumesDeleted: removed, SpaceReclaimed: size})
	return nil
}
