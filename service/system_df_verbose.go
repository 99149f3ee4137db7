package service

import (
	"strings"
	"time"

	"github.com/berth-dev/berth/engine"
)

// DFImage, DFContainer and DFVolume are the rows of `system df -v`, as
// podman's verbose report names them.
type DFImage struct {
	Repository, Tag, ImageID string
	Created                  time.Time
	Size, SharedSize         int64
	UniqueSize               int64
	Containers               int
}

type DFContainer struct {
	ContainerID, Image, Command string
	LocalVolumes                int
	Size                        int64
	Created                     time.Time
	Status, Names               string
}

type DFVolume struct {
	VolumeName string
	Links      int64
	Size       int64
}

// DFVerbose is `system df -v`: every image (one row per name), container
// and volume with its size.
type DFVerbose struct {
	Images     []DFImage
	Containers []DFContainer
	Volumes    []DFVolume
}

// SystemDFVerbose gathers the rows of `system df -v`.
func SystemDFVerbose(rt *engine.Runtime) (*DFVerbose, error) {
	out := &DFVerbose{}
	rows, err := List(rt, ListOptions{All: true, Size: true})
	if err != nil {
		return nil, err
	}
	users := map[string]int{}
	for _, c := range rows {
		users[c.ImageID]++
		if c.IsInfra {
			continue
		}
		d := DFContainer{ContainerID: c.ID[:12], Image: c.Image, Command: strings.Join(c.Command, " "),
			LocalVolumes: len(c.volumes), Created: c.Created, Status: c.State, Names: strings.Join(c.Names, ",")}
		if c.Size != nil {
			d.Size = c.Size.RwSize
		}
		out.Containers = append(out.Containers, d)
	}
	imgs, err := Images(rt)
	if err != nil {
		return nil, err
	}
	for _, img := range imgs {
		names := img.Names
		if len(names) == 0 {
			names = []string{"<none>:<none>"}
		}
		for _, n := range names {
			repo, tag := n, "<none>"
			if i := strings.LastIndex(n, ":"); i > strings.LastIndex(n, "/") {
				repo, tag = n[:i], n[i+1:]
			}
			out.Images = append(out.Images, DFImage{Repository: repo, Tag: tag, ImageID: img.ID[:12], Created: img.Created,
				Size: img.Size, UniqueSize: img.Size, Containers: users[img.ID]})
		}
	}
	usage, err := (&Backend{rt: rt}).VolumeUsage()
	if err != nil {
		return nil, err
	}
	vols, err := rt.Volumes()
	if err != nil {
		return nil, err
	}
	for _, v := range vols {
		u := usage[v.Config().Name]
		out.Volumes = append(out.Volumes, DFVolume{VolumeName: v.Config().Name, Links: u.RefCount, Size: u.Size})
	}
	return out, nil
}
