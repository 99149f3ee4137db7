package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/network"
	"github.com/berth-dev/berth/internal/cgroups"
	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// A berth command killed part-way (kill -9 of the CLI, of conmon, of the
// container's init) leaves what it had set up: a runtime container and
// its conmon, the rootfs and /dev/shm mounts, the network namespace and
// netavark's record, the cgroup. The container's lock is free again (a
// flock dies with its holder), so the next command that takes it finishes
// the job: start and rm clean up (reapOrphanLocked, cleanupLocked), any
// sync kills and cleans a container whose conmon died (reapConmonless),
// and system check does the same for every container first
// (recoverInterrupted). What is left after that has no owner berth can
// act through, and system check reports it as a leak (checkLeaks).

// recoverInterrupted syncs every container and releases what an
// interrupted command left of one that is not active. It returns the IDs
// of containers that are active or whose lock a live command holds:
// nothing of theirs is a leak.
func (r *Runtime) recoverInterrupted(ctx context.Context, recs []*define.ContainerRecord) map[string]bool {
	mounts := mountSet(r.cfg.tmpDir())
	busy := map[string]bool{}
	for _, rec := range recs {
		id := rec.Config.ID
		c, err := r.containerByID(id)
		if err != nil {
			continue
		}
		if ok, err := c.lock.TryLock(); err != nil || !ok {
			busy[id] = true // a live command works on it
			continue
		}
		if err := c.syncLocked(); err != nil {
			c.lock.Unlock()
			continue
		}
		switch c.state.Status {
		case define.StatusCreated, define.StatusRunning, define.StatusPaused, define.StatusStopping:
			busy[id] = true
		case define.StatusStopped:
			if c.config.AutoRemove {
				// A --rm container whose exit command died: finish it.
				if err := r.removeLocked(ctx, c, RemoveOptions{Force: true}, true); err != nil {
					warnf("container %s: removing it after its exit: %v", c.config.Name, err)
				}
				c.lock.Unlock()
				continue
			}
			fallthrough
		default:
			if c.hasLeftoversLocked(mounts) {
				c.reapOrphanLocked(ctx)
				if err := c.cleanupLocked(ctx); err != nil {
					warnf("container %s: cleaning up after an interrupted command: %v", c.config.Name, err)
				}
				c.forceUnmountRootfsLocked()
			}
		}
		c.lock.Unlock()
	}
	return busy
}

// hasLeftoversLocked reports whether a container that is not active still
// has what only an active one has. mounts are the mount points under the
// run root.
//
// Preconditions: c.lock is held.
func (c *Container) hasLeftoversLocked(mounts map[string]bool) bool {
	for _, p := range []string{filepath.Join(c.runtime.cfg.ociRoot(), c.config.ID), c.netnsPath()} {
		if _, err := os.Lstat(p); err == nil {
			return true
		}
	}
	return mounts[c.shmDir()] || len(c.state.MountedVolumes) > 0 || c.strayRootfsMount()
}

// strayRootfsMount reports whether storage holds the container's rootfs
// mounted though neither a run nor `berth mount` does (a command killed
// between mounting it and recording the mount).
func (c *Container) strayRootfsMount() bool {
	if c.config.ImageID == "" || c.state.MountCount > 0 {
		return false
	}
	st, err := c.runtime.storage()
	if err != nil {
		return false
	}
	n, err := st.Storage().Mounted(c.config.ID)
	return err == nil && n > 0
}

// forceUnmountRootfsLocked drops a stray rootfs mount whatever its count.
//
// Preconditions: c.lock is held; the container is not active.
func (c *Container) forceUnmountRootfsLocked() {
	if !c.strayRootfsMount() {
		return
	}
	if st, err := c.runtime.storage(); err == nil {
		if err := st.Unmount(c.config.ID, true); err != nil {
			warnf("container %s: unmounting its rootfs: %v", c.config.Name, err)
		}
	}
}

// mountSet is the set of mount points at or below dir.
func mountSet(dir string) map[string]bool {
	out := map[string]bool{}
	ms, _ := mountinfo.GetMounts(mountinfo.PrefixFilter(dir))
	for _, m := range ms {
		out[m.Mountpoint] = true
	}
	return out
}

// leakReport is what checkLeaks found, by kind: each maps the container
// ID (the bridge name for bridges) to what it left.
type leakReport struct {
	Mounts, NetNS, Cgroups, Bridges map[string][]string
	// undo removes one leak; run only with --repair.
	undo []func() error
	// removed names what each undo removes ("mount /path", ...).
	removed []string
}

func (l *leakReport) add(kind map[string][]string, id, what, removed string, undo func() error) {
	kind[id] = append(kind[id], what)
	l.undo = append(l.undo, undo)
	l.removed = append(l.removed, removed)
}

// checkLeaks finds what no active container of this root owns: berth's
// mounts (rootfs overlays, /dev/shm, network namespaces) of containers
// that are not active or unknown, network namespace files, cgroups under
// berth's default parent of this root's inactive containers, and bridges
// whose network definition is gone.
func (r *Runtime) checkLeaks(ctx context.Context, recs []*define.ContainerRecord, busy map[string]bool) *leakReport {
	l := &leakReport{Mounts: map[string][]string{}, NetNS: map[string][]string{}, Cgroups: map[string][]string{}, Bridges: map[string][]string{}}
	known := make(map[string]*define.ContainerRecord, len(recs))
	for _, rec := range recs {
		known[rec.Config.ID] = rec
	}
	idUnder := func(root, p string) string {
		rel, err := filepath.Rel(root, p)
		if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
			return ""
		}
		return strings.Split(rel, string(filepath.Separator))[0]
	}

	// Rootfs overlays: the layer's merged directory names the storage
	// container; only berth's own containers count (buildah's are not
	// ours to judge), and `berth mount` holds its own.
	layerOwner := map[string]string{}
	if st, err := r.storage(); err == nil {
		if cs, err := st.Storage().Containers(); err == nil {
			for _, c := range cs {
				layerOwner[c.LayerID] = c.ID
			}
		}
	}
	ms, _ := mountinfo.GetMounts(func(m *mountinfo.Info) (bool, bool) {
		return !strings.HasPrefix(m.Mountpoint, r.cfg.GraphRoot+"/") && !strings.HasPrefix(m.Mountpoint, r.cfg.tmpDir()+"/"), false
	})
	for _, m := range ms {
		mp := m.Mountpoint
		switch {
		case filepath.Dir(mp) == r.cfg.netnsDir() && m.FSType == "nsfs":
			// netns files are handled below, with their mounts.
		case filepath.Base(mp) == "shm" && m.Source == "shm" && filepath.Dir(filepath.Dir(mp)) == r.cfg.bundleRoot():
			id := idUnder(r.cfg.bundleRoot(), mp)
			if !busy[id] {
				l.add(l.Mounts, id, "/dev/shm mount "+mp, "mount "+mp, func() error { return unmountDetach(mp) })
			}
		case filepath.Base(filepath.Dir(mp)) == "idmap" && filepath.Dir(filepath.Dir(filepath.Dir(mp))) == r.cfg.bundleRoot():
			// An idmap bind's staging mount (container_idmap.go).
			id := idUnder(r.cfg.bundleRoot(), mp)
			if !busy[id] {
				l.add(l.Mounts, id, "idmap mount "+mp, "mount "+mp, func() error { return unmountDetach(mp) })
			}
		case filepath.Base(mp) == "merged" && m.FSType == "overlay":
			id := layerOwner[filepath.Base(filepath.Dir(mp))]
			rec := known[id]
			if rec == nil || busy[id] || rec.State.MountCount > 0 {
				continue
			}
			l.add(l.Mounts, id, "rootfs mount "+mp, "mount "+mp, func() error {
				st, err := r.storage()
				if err == nil {
					_, err = st.Storage().Unmount(id, true)
				}
				return err
			})
		}
	}

	// Network namespaces: a pinned namespace outlives its container only
	// by a crash; netavark's record of it goes with it.
	if entries, err := os.ReadDir(r.cfg.netnsDir()); err == nil {
		for _, e := range entries {
			id, path := e.Name(), filepath.Join(r.cfg.netnsDir(), e.Name())
			if busy[id] {
				continue
			}
			l.add(l.NetNS, id, "network namespace "+path, "netns "+path, func() error {
				var errs []error
				if r.net != nil && r.net.HasRecord(id) {
					errs = append(errs, r.net.Teardown(context.WithoutCancel(ctx), id, nil))
				}
				return errors.Join(append(errs, network.RemoveNetNS(path))...)
			})
		}
	}

	// Cgroups under berth's default cgroupfs parent.
	if r.cfg.CgroupManager != "systemd" && !r.cfg.noCgroups() && os.Geteuid() == 0 {
		children, _ := cgroups.Children("/berth")
		for _, name := range slices.Sorted(maps.Keys(children)) {
			// The cgroupfs tree is host-wide: only this root's
			// containers are judged (an unknown ID may be another
			// root's, mid-removal).
			id, ok := strings.CutPrefix(name, "berth-")
			if !ok || known[id] == nil || busy[id] {
				continue
			}
			dirs := children[name]
			what := "cgroup " + filepath.Join("/berth", name)
			if n := len(cgroups.DirProcs(dirs)); n > 0 {
				what += fmt.Sprintf(" with %d processes of a container that is not running", n)
			}
			l.add(l.Cgroups, id, what, "cgroup /berth/"+name, func() error { return cgroups.RemoveDirs(dirs) })
		}
	}

	// Bridges, keep-alive links and firewall rules of deleted networks.
	if r.net != nil {
		orphans, err := r.net.Orphans(ctx, false)
		if err != nil {
			warnf("checking bridges: %v", err)
		}
		for i, o := range orphans {
			what := fmt.Sprintf("bridge %s and its firewall rules: network definition %s is gone", o.Bridge, o.Owner)
			undo := func() error { return nil }
			if i == 0 { // one reap removes them all
				undo = func() error { _, err := r.net.Orphans(ctx, true); return err }
			}
			l.add(l.Bridges, o.Bridge, what, "bridge "+o.Bridge, undo)
		}
	}
	return l
}

// count is the number of leaks found.
func (l *leakReport) count() int { return len(l.undo) }

// repair removes every leak found, returning what it removed.
func (l *leakReport) repair() ([]string, error) {
	var removed []string
	var errs []error
	for i, undo := range l.undo {
		if err := undo(); err != nil {
			errs = append(errs, fmt.Errorf("removing %s: %w", l.removed[i], err))
			continue
		}
		removed = append(removed, l.removed[i])
	}
	return removed, errors.Join(errs...)
}

// unmountDetach unmounts path; one that is not mounted any more is fine.
func unmountDetach(path string) error {
	err := unix.Unmount(path, unix.MNT_DETACH)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOENT) {
		return nil
	}
	return err
}
