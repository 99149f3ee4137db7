//go:build !berth_lean

package image

import (
	"fmt"

	"github.com/sirupsen/logrus"
)

// layerSet returns the IDs of every layer in the store.
func (s *Service) layerSet() (map[string]bool, error) {
	layers, err := s.cs().Layers()
	if err != nil {
		return nil, fmt.Errorf("listing layers: %w", err)
	}
	set := make(map[string]bool, len(layers))
	for _, l := range layers {
		set[l.ID] = true
	}
	return set, nil
}

// removeNewOrphanLayers deletes the layers that are not in before and that
// no image or container uses (directly or as a parent): what a failed copy
// into the store committed before it failed. containers/image commits
// layers one by one as their blobs arrive and only creates the image at
// the end, so without this a dropped connection or a corrupt blob would
// leave unreachable layers behind.
//
// A concurrent pull into the same store has no image yet either; its
// layers are spared only if they existed before this copy started. Two
// pulls racing in one store are rare and the loser's retry recovers.
func (s *Service) removeNewOrphanLayers(before map[string]bool) {
	layers, err := s.cs().Layers()
	if err != nil {
		logrus.Warnf("cleaning up after a failed copy: %v", err)
		return
	}
	parent := map[string]string{}
	for _, l := range layers {
		parent[l.ID] = l.Parent
	}
	used := map[string]bool{}
	mark := func(id string) {
		for id != "" && !used[id] {
			used[id] = true
			id = parent[id]
		}
	}
	if imgs, err := s.cs().Images(); err == nil {
		for _, img := range imgs {
			mark(img.TopLayer)
			for _, m := range img.MappedTopLayers {
				mark(m)
			}
		}
	} else {
		logrus.Warnf("cleaning up after a failed copy: %v", err)
		return
	}
	if ctrs, err := s.cs().Containers(); err == nil {
		for _, c := range ctrs {
			mark(c.LayerID)
		}
	} else {
		logrus.Warnf("cleaning up after a failed copy: %v", err)
		return
	}
	// Children before parents: a layer with a child cannot be deleted.
	doomed := map[string]bool{}
	for _, l := range layers {
		if !before[l.ID] && !used[l.ID] {
			doomed[l.ID] = true
		}
	}
	for len(doomed) > 0 {
		progress := false
		for id := range doomed {
			hasChild := false
			for other := range doomed {
				if parent[other] == id {
					hasChild = true
					break
				}
			}
			if hasChild {
				continue
			}
			if err := s.cs().DeleteLayer(id); err != nil {
				logrus.Warnf("removing layer %s of a failed copy: %v", id, err)
			}
			delete(doomed, id)
			progress = true
		}
		if !progress {
			return
		}
	}
}
