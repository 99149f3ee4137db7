package image

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/fault"
	"github.com/berth-dev/berth/internal/idgen"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// WorkingContainer is a storage-only container (no runtime, no database
// record) whose root a build writes into directly, for COPY and ADD; its
// changes become a layer through Commit. Its name starts with
// "berth-build-" so that one a killed build left behind is recognisable.
type WorkingContainer struct {
	ID     string
	Rootfs string
}

// NewWorkingContainer creates and mounts a working container on imageID
// ("" for an empty root, a build's FROM scratch).
func (s *Service) NewWorkingContainer(imageID string) (_ *WorkingContainer, retErr error) {
	id := idgen.NewID()
	if _, err := s.store.CreateContainer(id, "berth-build-"+id[:12], imageID, "", false); err != nil {
		return nil, err
	}
	defer func() {
		if retErr != nil {
			_ = s.store.DeleteContainer(id)
		}
	}()
	mp, err := s.store.Mount(id)
	if err != nil {
		return nil, err
	}
	fault.At("build-working", 0, 0)
	return &WorkingContainer{ID: id, Rootfs: mp}, nil
}

// RemoveWorkingContainer unmounts and deletes a working container (the
// storage wrapper's DeleteContainer unmounts first).
func (s *Service) RemoveWorkingContainer(w *WorkingContainer) error {
	if err := s.store.DeleteContainer(w.ID); err != nil {
		return fmt.Errorf("removing build container %s: %w", w.ID, err)
	}
	return nil
}

// ListWithoutSize is List without measuring each image's size (Size is
// left 0): what a build's cache lookup needs, at a fraction of the cost.
func (s *Service) ListWithoutSize() ([]*define.Image, error) {
	imgs, err := s.cs().Images()
	if err != nil {
		return nil, fmt.Errorf("listing images: %w", err)
	}
	out := make([]*define.Image, 0, len(imgs))
	for i := range imgs {
		di, err := s.describeWith(&imgs[i], false)
		if err != nil {
			return nil, err
		}
		out = append(out, di)
	}
	return out, nil
}

// ConfigExt returns the docker fields of image id's config (Healthcheck,
// OnBuild, Shell) that the engine's OCI view of the config leaves out.
func (s *Service) ConfigExt(id string) (dockerspec.DockerOCIImageConfigExt, error) {
	var out dockerspec.DockerOCIImage
	img, err := s.cs().Image(id)
	if err != nil {
		return out.Config.DockerOCIImageConfigExt, fmt.Errorf("image %s: %w", id, define.ErrNoSuchImage)
	}
	_, _, cfg, err := s.manifestAndConfig(img)
	if err != nil {
		return out.Config.DockerOCIImageConfigExt, err
	}
	if err := json.Unmarshal(cfg.raw, &out); err != nil {
		return out.Config.DockerOCIImageConfigExt, fmt.Errorf("image %s config: %w", id, err)
	}
	return out.Config.DockerOCIImageConfigExt, nil
}

// IsBuildStep reports whether a history entry's created_by is a build
// step's: builders (berth's, buildah's, docker's) write the shell command
// ("/bin/sh -c ...") or the build arguments first ("|1 A=b ...").
func IsBuildStep(createdBy string) bool {
	return strings.HasPrefix(createdBy, "/") || strings.HasPrefix(createdBy, "|")
}

// ChildOf reports whether child was built on parent by one more step: its
// history is parent's plus one entry and its layers are parent's plus at
// most one. That is how a build finds its cached steps and how `images`
// tells intermediate images (the parents of others) from dangling ones.
func ChildOf(child, parent *define.Image) bool {
	ph, pl := parentHistory(parent)
	if len(child.History) != len(ph)+1 || len(child.Layers) < len(pl) || len(child.Layers) > len(pl)+1 {
		return false
	}
	for i, l := range pl {
		if child.Layers[i] != l {
			return false
		}
	}
	for i := range ph {
		if !sameHistory(ph[i], child.History[i]) {
			return false
		}
	}
	last := child.History[len(ph)]
	return last.EmptyLayer == (len(child.Layers) == len(pl))
}

// Descends reports whether img's history and layers begin with parent's
// (nil: an empty scratch image): img was built on parent, maybe with
// several steps more.
func Descends(img, parent *define.Image) bool {
	ph, pl := parentHistory(parent)
	if len(img.History) < len(ph) || len(img.Layers) < len(pl) {
		return false
	}
	for i, l := range pl {
		if img.Layers[i] != l {
			return false
		}
	}
	for i := range ph {
		if !sameHistory(ph[i], img.History[i]) {
			return false
		}
	}
	return true
}

func parentHistory(p *define.Image) ([]v1.History, []string) {
	if p == nil {
		return nil, nil
	}
	return p.History, p.Layers
}

func sameHistory(a, b v1.History) bool {
	if a.CreatedBy != b.CreatedBy || a.EmptyLayer != b.EmptyLayer || a.Comment != b.Comment || a.Author != b.Author {
		return false
	}
	if (a.Created == nil) != (b.Created == nil) {
		return false
	}
	return a.Created == nil || a.Created.Equal(*b.Created)
}
