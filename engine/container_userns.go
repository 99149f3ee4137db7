package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	estorage "github.com/berth-dev/berth/engine/storage"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// A container in a user namespace has its rootfs created at create time,
// not at first start (container_rootfs.go): the layer's ownership follows
// the mapping, and an auto range must be taken from the pool before the
// next container looks at it. Its spec's maps are filled in at init from
// the storage record, which holds the range auto picked.

// mapsStorage reports whether cfg's rootfs is created with an ID mapping
// (or, with Reserve, an empty layer holds the maps).
func mapsStorage(cfg *define.ContainerConfig) bool {
	return cfg.UserNS != nil && (cfg.ImageID != "" || cfg.UserNS.Reserve) && (cfg.UserNS.Mode != "ns" || len(cfg.UserNS.UIDMap) > 0)
}

// createRootfs creates cfg's rootfs in storage, mapped if it has a user
// namespace: to the joined container's maps for container:X.
func createRootfs(store *estorage.Store, r *Runtime, cfg *define.ContainerConfig) error {
	if !mapsStorage(cfg) {
		_, err := store.CreateContainerWith(cfg.ID, cfg.Name, cfg.ImageID, cfg.AutoRemove, cfg.StorageOpts)
		return err
	}
	u := *cfg.UserNS
	if u.Mode == "container" {
		target := cfg.Namespaces["user"]
		uid, gid, err := store.ContainerIDMaps(target)
		if err != nil {
			return fmt.Errorf("the user namespace of container %s: %w", target, err)
		}
		if len(uid) == 0 {
			return fmt.Errorf("container %s has no user namespace of its own to join: %w", target, define.ErrInvalidArg)
		}
		u = define.UserNSConfig{Mode: "private", UIDMap: uid, GIDMap: gid}
	}
	if u.Mode == "ns" {
		// The joined namespace's maps, read at create (generate).
		u.Mode = "private"
	}
	if u.Reserve && u.Mode == "auto" && u.AutoSize == 0 {
		// A pod's range: its members' images are not known yet.
		u.AutoSize = estorage.DefaultAutoSize
	}
	_, _, err := store.CreateMappedContainer(cfg.ID, cfg.Name, cfg.ImageID, cfg.AutoRemove, &u, cfg.StorageOpts, numericUserSize(cfg.User))
	return err
}

// numericUserSize is one above the numeric uid and gid of a --user
// "UID[:GID]" (0 for names, which the image's files define): an auto
// namespace must map the user the container runs as.
func numericUserSize(spec string) uint32 {
	var size uint32
	for _, part := range strings.SplitN(spec, ":", 2) {
		if id, err := strconv.ParseUint(part, 10, 32); err == nil && id < 1<<32-1 {
			size = max(size, uint32(id)+1)
		}
	}
	return size
}

// reserveUserNS creates the mapped rootfs of a new container (see above);
// undo removes it again.
func (r *Runtime) reserveUserNS(cfg *define.ContainerConfig) (undo func(), _ error) {
	if !mapsStorage(cfg) {
		return func() {}, nil
	}
	store, err := r.storage()
	if err != nil {
		return nil, err
	}
	if err := createRootfs(store, r, cfg); err != nil {
		return nil, fmt.Errorf("creating rootfs of container %s: %w", cfg.Name, err)
	}
	return func() { _ = store.DeleteContainer(cfg.ID) }, nil
}

// usernsSpecLocked fills the spec's uid and gid maps from the rootfs's
// (auto picked them when the rootfs was created; container:X took X's).
//
// Preconditions: c.lock is held; the rootfs exists.
func (c *Container) usernsSpecLocked(spec *specs.Spec, rootfs string) error {
	if !mapsStorage(c.config) || spec.Linux == nil {
		return nil
	}
	store, err := c.runtime.storage()
	if err != nil {
		return err
	}
	uid, gid, err := store.ContainerIDMaps(c.config.ID)
	if err != nil {
		return err
	}
	if len(uid) == 0 || len(gid) == 0 {
		return fmt.Errorf("container %s: its rootfs has no ID mapping: %w", c.config.Name, errors.New("recreate the container"))
	}
	spec.Linux.UIDMappings, spec.Linux.GIDMappings = uid, gid
	return makeTraversable(filepath.Dir(rootfs))
}

// hostID translates a container ID to the host's through maps (the ID
// itself without maps; the overflow ID 65534 when unmapped).
func hostID(maps []specs.LinuxIDMapping, id uint32) uint32 {
	if len(maps) == 0 {
		return id
	}
	for _, m := range maps {
		if id >= m.ContainerID && id-m.ContainerID < m.Size {
			return m.HostID + (id - m.ContainerID)
		}
	}
	return 65534
}

// hostOwner is the host uid and gid of the spec's process user, for
// chowning what the container must own (:U, volume copy-up).
func hostOwner(spec *specs.Spec) (uid, gid int) {
	u, g := spec.Process.User.UID, spec.Process.User.GID
	if spec.Linux != nil {
		u, g = hostID(spec.Linux.UIDMappings, u), hostID(spec.Linux.GIDMappings, g)
	}
	return int(u), int(g)
}

// makeTraversable lets the container's root, a host ID without
// privileges on the host's files, reach its rootfs: runc mounts it in
// the new user namespace, where a 0700 graph root or layer directory
// stops the path lookup. Directories without the search bit for others
// get it (and only it: their listings stay private), from dir up to /, as
// runc's own user namespace tests do with their root.
func makeTraversable(dir string) error {
	for d := dir; ; d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err != nil {
			return err
		}
		if m := st.Mode().Perm(); m&0o001 == 0 {
			if err := os.Chmod(d, m|0o011); err != nil {
				return err
			}
		}
		if d == "/" || d == "." {
			return nil
		}
	}
}

// IDMaps returns the maps of the container's user namespace: those its
// rootfs was made with (auto's range), else those of its config (none
// without a user namespace).
func (c *Container) IDMaps() (uidMap, gidMap []specs.LinuxIDMapping, _ error) {
	if c.config.UserNS == nil {
		return nil, nil, nil
	}
	if mapsStorage(c.config) {
		store, err := c.runtime.storage()
		if err != nil {
			return nil, nil, err
		}
		return store.ContainerIDMaps(c.config.ID)
	}
	return c.config.UserNS.UIDMap, c.config.UserNS.GIDMap, nil
}

// inspectUserNS is inspect's HostConfig.UsernsMode and IDMappings: the
// mode as asked for and the maps in effect (auto's from the rootfs).
func (c *Container) inspectUserNS(spec *specs.Spec) (string, *define.InspectIDMappings) {
	u := c.config.UserNS
	if u == nil {
		return "", nil
	}
	mode := u.Mode
	if mode == "ns" && spec.Linux != nil {
		for _, ns := range spec.Linux.Namespaces {
			if ns.Type == specs.UserNamespace {
				mode = "ns:" + ns.Path
			}
		}
	} else if mode == "container" {
		mode += ":" + c.config.Namespaces["user"]
	}
	uid, gid := u.UIDMap, u.GIDMap
	if mapsStorage(c.config) {
		if store, err := c.runtime.storage(); err == nil {
			if su, sg, err := store.ContainerIDMaps(c.config.ID); err == nil && len(su) > 0 {
				uid, gid = su, sg
			}
		}
	}
	lines := func(m []specs.LinuxIDMapping) []string {
		out := []string{}
		for _, x := range m {
			out = append(out, fmt.Sprintf("%d:%d:%d", x.ContainerID, x.HostID, x.Size))
		}
		return out
	}
	return mode, &define.InspectIDMappings{UIDMap: lines(uid), GIDMap: lines(gid)}
}
