package service

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
)

// DiskUsage is one row of `system df`: what a kind of object takes and how
// much of it is reclaimable (images no container uses, containers not
// running, volumes no container uses).
type DiskUsage struct {
	Type        string
	Total       int
	Active      int
	Size        int64
	Reclaimable int64
}

// SystemDF sums the disk use of images, containers and volumes.
func SystemDF(ctx context.Context, rt *engine.Runtime) ([]DiskUsage, error) {
	ctrs, err := rt.Containers()
	if err != nil {
		return nil, err
	}
	images, err := rt.Images()
	if err != nil {
		return nil, err
	}
	imgs, err := images.List()
	if err != nil {
		return nil, err
	}
	usedImages := map[string]bool{}
	cu := DiskUsage{Type: "Containers", Total: len(ctrs)}
	store, err := rt.Storage()
	if err != nil {
		return nil, err
	}
	for _, c := range ctrs {
		cfg, st := c.Config(), c.CachedState()
		usedImages[cfg.ImageID] = true
		running := st.Status == define.StatusRunning || st.Status == define.StatusPaused
		if running {
			cu.Active++
		}
		rw, _, err := store.ContainerSize(cfg.ID)
		if err != nil {
			continue // never started: no rootfs yet
		}
		cu.Size += rw
		if !running {
			cu.Reclaimable += rw
		}
	}
	iu := DiskUsage{Type: "Images", Total: len(imgs)}
	for _, img := range imgs {
		iu.Size += img.Size
		if usedImages[img.ID] {
			iu.Active++
		} else {
			iu.Reclaimable += img.Size
		}
	}
	vols, err := rt.Volumes()
	if err != nil {
		return nil, err
	}
	vu := DiskUsage{Type: "Local Volumes", Total: len(vols)}
	for _, v := range vols {
		size := dirSize(v.MountPoint())
		vu.Size += size
		users, err := v.Users()
		if err != nil {
			return nil, err
		}
		if len(users) > 0 {
			vu.Active++
		} else {
			vu.Reclaimable += size
		}
	}
	return []DiskUsage{iu, cu, vu}, nil
}

// dirSize adds up the sizes of the files below dir, links not followed;
// what cannot be read counts as nothing.
func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrPermission) || errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}
