package storage

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	cstorage "go.podman.io/storage"
	"go.podman.io/storage/pkg/idtools"
	"golang.org/x/sys/unix"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/lookup"
	"github.com/berth-dev/berth/internal/rootless"
)

// The default pool of host IDs for --userns=auto when /etc/subuid and
// /etc/subgid have no "containers" entry: the range podman's
// documentation suggests for that entry. A pod's namespace (its members'
// images are not known yet) gets DefaultAutoSize, the library's largest
// auto size; a container's is sized to its image (autoSize) between
// storage.conf's default auto-userns-min-size and -max-size.
const (
	DefaultAutoPoolStart = 2147483647
	DefaultAutoPoolSize  = 2147483648
	DefaultAutoSize      = 65536
	autoMinSize          = 1024
)

// autoUser is the /etc/subuid name root's auto namespaces come from.
const autoUser = cstorage.RootAutoUserNsUser

// CreateMappedContainer is CreateContainer for a container in a user
// namespace: its layer is owned by the mapped IDs (the library chowns a
// copy of the image's top layer, or uses idmapped lower layers where the
// kernel has them). Mode auto takes a range no other container in the
// store uses, from the "containers" entries of /etc/subuid and /etc/subgid
// (by the library, as podman) or, without them, from the default pool.
// It returns the maps the container got.
//
// minSize is the least size an auto namespace without size= gets (the
// container's numeric user and group, plus one).
func (s *Store) CreateMappedContainer(id, name, imageID string, volatile bool, u *define.UserNSConfig, storageOpt map[string]string, minSize uint32) (uidMap, gidMap []specs.LinuxIDMapping, _ error) {
	opts := &cstorage.ContainerOptions{Volatile: volatile, StorageOpt: storageOpt}
	if u.Mode == "auto" {
		if _, err := idtools.NewIDMappings(autoUser, autoUser); err == nil && !rootless.IsRootless() {
			// The library sizes the namespace to the image itself.
			opts.AutoUserNs = true
			opts.AutoUserNsOpts = cstorage.AutoUserNsOptions{
				Size:                  u.AutoSize,
				InitialSize:           minSize,
				AdditionalUIDMappings: toIDTools(u.UIDMap),
				AdditionalGIDMappings: toIDTools(u.GIDMap),
			}
		} else {
			size := u.AutoSize
			if size == 0 {
				var err error
				if size, err = s.autoSize(imageID, minSize); err != nil {
					return nil, nil, err
				}
			}
			unlock, err := s.lockDefaultPool()
			if err != nil {
				return nil, nil, err
			}
			defer unlock()
			if opts.UIDMap, opts.GIDMap, err = s.allocateDefault(u, size); err != nil {
				return nil, nil, err
			}
		}
	} else {
		opts.UIDMap, opts.GIDMap = toIDTools(u.UIDMap), toIDTools(u.GIDMap)
	}
	c, err := s.createContainer(id, name, imageID, "", opts)
	if err != nil {
		return nil, nil, err
	}
	return fromIDTools(c.UIDMap), fromIDTools(c.GIDMap), nil
}

// ContainerIDMaps returns the maps a container's layer was created with
// (none: the host's IDs).
func (s *Store) ContainerIDMaps(id string) (uidMap, gidMap []specs.LinuxIDMapping, _ error) {
	c, err := s.store.Container(id)
	if err != nil {
		return nil, nil, ctrErr(id, err)
	}
	return fromIDTools(c.UIDMap), fromIDTools(c.GIDMap), nil
}

// lockDefaultPool serializes default-pool allocations between processes
// from the look at the store's containers to the new one's record (the
// library's own userns.lock is taken inside CreateContainer, so a second
// lock file is used).
func (s *Store) lockDefaultPool() (func(), error) {
	f, err := os.OpenFile(filepath.Join(s.store.GraphRoot(), "berth-userns.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("user namespace allocation lock: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("user namespace allocation lock: %w", err)
	}
	return func() { f.Close() }, nil
}

// autoSize is the size of an auto namespace without size=, by the
// library's heuristic for its own pool: one above the highest ID that
// owns a file in the image's layers (recorded at pull) or that its
// /etc/passwd or /etc/group names, at least minSize and 1024; more than
// 65536 is refused with the library's words. No image (a --rootfs or a
// pod's namespace): DefaultAutoSize.
func (s *Store) autoSize(imageID string, minSize uint32) (uint32, error) {
	if imageID == "" {
		return max(DefaultAutoSize, minSize), nil
	}
	img, err := s.store.Image(imageID)
	if err != nil {
		return 0, fmt.Errorf("image %s: %w", imageID, err)
	}
	size := max(autoMinSize, minSize)
	for layerID := img.TopLayer; layerID != ""; {
		l, err := s.store.Layer(layerID)
		if err != nil {
			return 0, fmt.Errorf("layer %s of image %s: %w", layerID, imageID, err)
		}
		for _, id := range slices.Concat(l.UIDs, l.GIDs) {
			size = max(size, id+1)
		}
		layerID = l.Parent
	}
	mp, err := s.store.MountImage(imageID, []string{"ro"}, "")
	if err != nil {
		return 0, fmt.Errorf("mounting image %s to size its user namespace: %w", imageID, err)
	}
	n, err := lookup.MaxID(mp)
	if _, uerr := s.store.UnmountImage(imageID, false); uerr != nil && err == nil {
		err = uerr
	}
	if err != nil {
		return 0, fmt.Errorf("sizing the user namespace of image %s: %w", imageID, err)
	}
	size = max(size, n)
	if size > DefaultAutoSize {
		return 0, fmt.Errorf("the container needs a user namespace with size %d that is bigger than the maximum value allowed with userns=auto %d: %w", size, DefaultAutoSize, define.ErrInvalidArg)
	}
	return size, nil
}

// allocateDefault picks the first block of the default pool that no
// container in the store maps, for container IDs 0..size-1 except those
// auto's uidmapping=/gidmapping= map themselves.
func (s *Store) allocateDefault(u *define.UserNSConfig, size uint32) (uidMap, gidMap []idtools.IDMap, _ error) {
	ctrs, err := s.store.Containers()
	if err != nil {
		return nil, nil, fmt.Errorf("listing storage containers: %w", err)
	}
	var usedU, usedG []interval
	for _, c := range ctrs {
		for _, m := range c.UIDMap {
			usedU = append(usedU, interval{int64(m.HostID), int64(m.HostID) + int64(m.Size)})
		}
		for _, m := range c.GIDMap {
			usedG = append(usedG, interval{int64(m.HostID), int64(m.HostID) + int64(m.Size)})
		}
	}
	uPool, gPool := autoPool("/proc/self/uid_map"), autoPool("/proc/self/gid_map")
	uidMap, err = allocate(size, u.UIDMap, usedU, uPool)
	if err != nil {
		return nil, nil, err
	}
	gidMap, err = allocate(size, u.GIDMap, usedG, gPool)
	if err != nil {
		return nil, nil, err
	}
	return uidMap, gidMap, nil
}

// autoPool is where auto namespaces take their IDs from: the default
// pool as root; for a rootless user the IDs of berth's user namespace
// above 0 (the user's subordinate range, as podman's rootless auto).
func autoPool(mapFile string) interval {
	if !rootless.IsRootless() {
		return interval{DefaultAutoPoolStart, DefaultAutoPoolStart + DefaultAutoPoolSize}
	}
	var best interval
	if data, err := os.ReadFile(mapFile); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			var inside, outside, n int64
			if _, err := fmt.Sscan(line, &inside, &outside, &n); err != nil || inside == 0 {
				continue
			}
			if n > best.end-best.start {
				best = interval{inside, inside + n}
			}
		}
	}
	return best
}

// interval is [start, end) of host IDs.
type interval struct{ start, end int64 }

// allocate maps container IDs [0, size) not covered by extra to one free
// block of the default pool, then appends extra.
func allocate(size uint32, extra []specs.LinuxIDMapping, used []interval, pool interval) ([]idtools.IDMap, error) {
	want := []interval{{0, int64(size)}}
	for _, e := range extra {
		want = subtract(want, interval{int64(e.ContainerID), int64(e.ContainerID) + int64(e.Size)})
		used = append(used, interval{int64(e.HostID), int64(e.HostID) + int64(e.Size)})
	}
	var n int64
	for _, w := range want {
		n += w.end - w.start
	}
	slices.SortFunc(used, func(a, b interval) int { return int(a.start - b.start) })
	start, end := pool.start, pool.end
	for _, r := range used {
		if r.end <= start || r.start >= end {
			continue
		}
		if r.start-start >= n {
			break
		}
		start = max(start, r.end)
	}
	if end-start < n {
		return nil, fmt.Errorf("no %d unused IDs left in the range %d-%d for --userns=auto: %w", n, pool.start, pool.end-1, define.ErrInvalidArg)
	}
	var out []idtools.IDMap
	for _, w := range want {
		out = append(out, idtools.IDMap{ContainerID: int(w.start), HostID: int(start), Size: int(w.end - w.start)})
		start += w.end - w.start
	}
	return append(out, toIDTools(extra)...), nil
}

// subtract removes r from the sorted, disjoint intervals in.
func subtract(in []interval, r interval) []interval {
	var out []interval
	for _, i := range in {
		if r.end <= i.start || r.start >= i.end {
			out = append(out, i)
			continue
		}
		if i.start < r.start {
			out = append(out, interval{i.start, r.start})
		}
		if r.end < i.end {
			out = append(out, interval{r.end, i.end})
		}
	}
	return out
}

func toIDTools(m []specs.LinuxIDMapping) []idtools.IDMap {
	if len(m) == 0 {
		return nil
	}
	out := make([]idtools.IDMap, 0, len(m))
	for _, x := range m {
		out = append(out, idtools.IDMap{ContainerID: int(x.ContainerID), HostID: int(x.HostID), Size: int(x.Size)})
	}
	return out
}

func fromIDTools(m []idtools.IDMap) []specs.LinuxIDMapping {
	if len(m) == 0 {
		return nil
	}
	out := make([]specs.LinuxIDMapping, 0, len(m))
	for _, x := range m {
		out = append(out, specs.LinuxIDMapping{ContainerID: uint32(x.ContainerID), HostID: uint32(x.HostID), Size: uint32(x.Size)})
	}
	return out
}
