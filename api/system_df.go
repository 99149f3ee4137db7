package api

import (
	"context"
	"net/http"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/volume"
)

// diskBackend is what `system df` and `container prune` need of service.
type diskBackend interface {
	ContainerList(opts service.ListOptions) ([]*service.ListContainer, error)
	ImageList(filters []string) ([]*define.Image, error)
	VolumeList(filters []string) ([]*define.InspectVolume, error)
	VolumeUsage() (map[string]service.VolumeUsage, error)
	ContainerPrune(ctx context.Context, filters []string) ([]string, uint64, error)
}

type diskRouter struct{ b diskBackend }

func (rt diskRouter) register(s *Server) {
	s.handle("GET /system/df", rt.df)
	s.handle("POST /containers/prune", rt.prune)
	s.handle("POST /build/prune", rt.buildPrune)
}

// diskUsage is /system/df's answer up to API 1.51 (docker CLI 28 reads
// this shape; 1.52 moved to per-type summaries).
type diskUsage struct {
	LayersSize int64
	Images     []image.Summary
	Containers []container.Summary
	Volumes    []volume.Volume
	BuildCache []*build.CacheRecord
}

// df lists images, containers and volumes with their sizes and users;
// berth has no build cache. LayersSize is the images' total: berth's
// image sizes already count each image's layers.
func (rt diskRouter) df(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	want := map[string]bool{}
	for _, t := range r.URL.Query()["type"] {
		want[t] = true
	}
	all := len(want) == 0
	out := diskUsage{Images: []image.Summary{}, Containers: []container.Summary{}, Volumes: []volume.Volume{}, BuildCache: []*build.CacheRecord{}}
	rows, err := rt.b.ContainerList(service.ListOptions{All: true, Size: all || want["container"]})
	if err != nil {
		return err
	}
	users := map[string]int64{}
	for _, c := range rows {
		users["sha256:"+c.ImageID]++
		if (all || want["container"]) && !c.IsInfra {
			out.Containers = append(out.Containers, summary(c, nil))
		}
	}
	if all || want["image"] {
		imgs, err := rt.b.ImageList(nil)
		if err != nil {
			return err
		}
		for _, img := range imgs {
			s := imageSummary(img, nil)
			s.Containers, s.SharedSize = users[s.ID], 0
			out.Images = append(out.Images, s)
			out.LayersSize += s.Size
		}
	}
	if all || want["volume"] {
		vols, err := rt.b.VolumeList(nil)
		if err != nil {
			return err
		}
		usage, err := rt.b.VolumeUsage()
		if err != nil {
			return err
		}
		for _, v := range vols {
			dv := dockerVolume(v)
			u := usage[v.Name]
			dv.UsageData = &volume.UsageData{Size: u.Size, RefCount: u.RefCount}
			out.Volumes = append(out.Volumes, dv)
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// prune removes the stopped containers the filters (until, label,
// label!) let through.
func (rt diskRouter) prune(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	filters, err := decodeFilters(r.URL.Query().Get("filters"))
	if err != nil {
		return err
	}
	removed, size, err := rt.b.ContainerPrune(ctx, filters)
	if err != nil {
		return err
	}
	if removed == nil {
		removed = []string{}
	}
	writeJSON(w, http.StatusOK, container.PruneReport{ContainersDeleted: removed, SpaceReclaimed: size})
	return nil
}

// buildPrune answers `system prune`'s build cache step: berth keeps no
// build cache, so there is nothing to remove.
func (diskRouter) buildPrune(_ context.Context, w http.ResponseWriter, _ *http.Request) error {
	writeJSON(w, http.StatusOK, build.CachePruneReport{CachesDeleted: []string{}})
	return nil
}
