package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/berth-dev/berth/engine/define"
	cstorage "go.podman.io/storage"
)

// CheckOptions are the options of SystemCheck (podman system check).
type CheckOptions struct {
	// Quick skips the expensive checks (re-reading every layer's diff).
	Quick bool
	// Repair removes damaged layers and images; with Force also the
	// containers (berth's records included) that use them.
	Repair, Force bool
	// UnreferencedLayerMaxAge: layers no image or container uses, older
	// than this, count as damage (nil: containers/storage's 24h).
	UnreferencedLayerMaxAge *time.Duration
}

// CheckReport is what SystemCheck found, and removed when repairing.
type CheckReport struct {
	// Errors is set when anything was found damaged.
	Errors bool
	// Layers, ROLayers, Images, ROImages and Containers map damaged
	// objects' IDs to what is wrong with them. Containers also holds
	// berth's containers whose storage container is gone.
	Layers, ROLayers, Images, ROImages, Containers  map[string][]string
	RemovedLayers, RemovedImages, RemovedContainers []string
	// StaleDirs maps IDs of containers berth has no record of to the
	// directories they left (runtime_check_stale.go); RemovedStale are
	// the IDs whose directories --repair removed.
	StaleDirs    map[string][]string
	RemovedStale []string
	// Mounts, NetNS, Cgroups and Bridges are what no active container of
	// this root owns (runtime_check_leaks.go), by container ID (bridge
	// name); RemovedLeaks names what --repair removed.
	Mounts, NetNS, Cgroups, Bridges map[string][]string
	RemovedLeaks                    []string
}

// SystemCheck checks image and container storage (containers/storage's
// Check) and berth's database against it, and with Repair removes what is
// damaged, as podman's system check does. Images and containers in use
// are kept unless Force.
func (r *Runtime) SystemCheck(ctx context.Context, opts CheckOptions) (*CheckReport, error) {
	st, err := r.storage()
	if err != nil {
		return nil, err
	}
	store := st.Storage()
	copts := cstorage.CheckEverything()
	if opts.Quick {
		copts = cstorage.CheckMost()
	}
	copts.LayerUnreferencedMaximumAge = opts.UnreferencedLayerMaxAge
	sreport, err := store.Check(copts)
	if err != nil {
		return nil, fmt.Errorf("checking storage: %w", err)
	}
	rep := &CheckReport{
		Layers: errStrings(sreport.Layers), ROLayers: errStrings(sreport.ROLayers),
		Images: errStrings(sreport.Images), ROImages: errStrings(sreport.ROImages),
		Containers: errStrings(sreport.Containers),
	}

	// What commands killed part-way left is finished first, as the next
	// command on each container would; what is left then is a leak.
	recs, err := r.state.Containers()
	if err != nil {
		return nil, err
	}
	busy := r.recoverInterrupted(ctx, recs)
	if recs, err = r.state.Containers(); err != nil {
		return nil, err
	}
	leaks := r.checkLeaks(ctx, recs, busy)
	rep.Mounts, rep.NetNS, rep.Cgroups, rep.Bridges = leaks.Mounts, leaks.NetNS, leaks.Cgroups, leaks.Bridges

	// berth's containers against storage. The rootfs is made on first
	// need, so a missing storage container is fine as long as its image
	// is there to make it from; without either the container can never
	// run again.
	for _, rec := range recs {
		if rec.Config.ImageID == "" {
			continue
		}
		if _, damaged := sreport.Images[rec.Config.ImageID]; damaged {
			// Its rootfs may not exist yet, so storage cannot tell.
			rep.Containers[rec.Config.ID] = append(rep.Containers[rec.Config.ID],
				fmt.Sprintf("container %s: its image %s is damaged", rec.Config.Name, rec.Config.ImageID))
			continue
		}
		if _, err := store.Container(rec.Config.ID); !errors.Is(err, cstorage.ErrContainerUnknown) {
			continue
		}
		if _, err := store.Image(rec.Config.ImageID); errors.Is(err, cstorage.ErrImageUnknown) {
			rep.Containers[rec.Config.ID] = append(rep.Containers[rec.Config.ID],
				fmt.Sprintf("container %s: neither its root filesystem nor its image %s is in storage", rec.Config.Name, rec.Config.ImageID))
		}
	}
	rep.StaleDirs = r.staleContainerDirs(recs)
	rep.Errors = len(rep.Layers)+len(rep.ROLayers)+len(rep.Images)+len(rep.ROImages)+len(rep.Containers)+len(rep.StaleDirs)+leaks.count() > 0
	if !opts.Repair || !rep.Errors {
		return rep, nil
	}
	// Leaks first: a stale directory is removed only once nothing is
	// mounted below it.
	var leakErr, staleErr error
	rep.RemovedLeaks, leakErr = leaks.repair()
	rep.RemovedStale, staleErr = r.removeStaleDirs(rep.StaleDirs)
	staleErr = errors.Join(leakErr, staleErr)

	if opts.Force {
		// berth's own containers go through rm, so that their
		// processes, mounts and network go too.
		for _, id := range slices.Sorted(maps.Keys(rep.Containers)) {
			c, err := r.containerByID(id)
			if err != nil {
				continue // a storage container berth does not know
			}
			if err := r.RemoveContainer(ctx, c, RemoveOptions{Force: true}); err != nil && !errors.Is(err, define.ErrNoSuchCtr) {
				return rep, fmt.Errorf("removing damaged container %s: %w", c.Name(), err)
			}
			rep.RemovedContainers = append(rep.RemovedContainers, id)
		}
	}
	if !opts.Force {
		keepUsedImages(store, &sreport, recs)
	}
	before := snapshotIDs(store)
	errs := store.Repair(sreport, &cstorage.RepairOptions{RemoveContainers: opts.Force})
	after := snapshotIDs(store)
	rep.RemovedLayers = removedIDs(before.layers, after.layers)
	rep.RemovedImages = removedIDs(before.images, after.images)
	for _, id := range removedIDs(before.containers, after.containers) {
		if !slices.Contains(rep.RemovedContainers, id) {
			rep.RemovedContainers = append(rep.RemovedContainers, id)
		}
	}
	for _, id := range rep.RemovedImages {
		r.ImageEvent("remove", id, id)
	}
	return rep, errors.Join(append(errs, staleErr)...)
}

// keepUsedImages takes the images berth's containers use, and their
// layers, out of what Repair removes: storage cannot know of those uses,
// since a container's rootfs is made on first need, and podman's rule is
// that damaged images in use stay unless --force.
func keepUsedImages(store cstorage.Store, sreport *cstorage.CheckReport, recs []*define.ContainerRecord) {
	for _, rec := range recs {
		id := rec.Config.ImageID
		if _, damaged := sreport.Images[id]; !damaged {
			continue
		}
		delete(sreport.Images, id)
		img, err := store.Image(id)
		if err != nil {
			continue
		}
		for layer := img.TopLayer; layer != ""; {
			delete(sreport.Layers, layer)
			l, err := store.Layer(layer)
			if err != nil {
				break
			}
			layer = l.Parent
		}
	}
}

// errStrings turns containers/storage's per-object errors into text.
func errStrings(in map[string][]error) map[string][]string {
	out := make(map[string][]string, len(in))
	for id, errs := range in {
		for _, err := range errs {
			out[id] = append(out[id], err.Error())
		}
	}
	return out
}

type storeIDs struct{ layers, images, containers []string }

// snapshotIDs lists what the store holds, to tell what Repair removed.
func snapshotIDs(store cstorage.Store) storeIDs {
	var s storeIDs
	if ls, err := store.Layers(); err == nil {
		for _, l := range ls {
			s.layers = append(s.layers, l.ID)
		}
	}
	if is, err := store.Images(); err == nil {
		for _, i := range is {
			s.images = append(s.images, i.ID)
		}
	}
	if cs, err := store.Containers(); err == nil {
		for _, c := range cs {
			s.containers = append(s.containers, c.ID)
		}
	}
	return s
}

// removedIDs is what is in before but not in after.
func removedIDs(before, after []string) []string {
	var out []string
	for _, id := range before {
		if !slices.Contains(after, id) {
			out = append(out, id)
		}
	}
	return out
}
