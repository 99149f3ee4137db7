package generate

import (
	"os"
	"path"
	"slices"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/specflag"
	"github.com/berth-dev/berth/spec"
)

// defaultMounts are the filesystems every container gets (podman's set).
// /dev/shm's size comes from --shm-size.
func defaultMounts(shm int64, privileged bool) []specs.Mount {
	sysOpts := []string{"nosuid", "noexec", "nodev", "ro"}
	cgOpts := []string{"nosuid", "noexec", "nodev", "relatime", "ro"}
	if privileged {
		// docker and podman give privileged containers a writable /sys.
		sysOpts = sysOpts[:3]
		cgOpts = cgOpts[:4]
	}
	return []specs.Mount{
		{Destination: "/proc", Type: "proc", Source: "proc", Options: []string{"nosuid", "noexec", "nodev"}},
		{Destination: "/dev", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
		{Destination: "/dev/pts", Type: "devpts", Source: "devpts", Options: []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
		{Destination: "/dev/shm", Type: "tmpfs", Source: "shm", Options: []string{"nosuid", "noexec", "nodev", "mode=1777", "size=" + strconv.FormatInt(shm, 10)}},
		{Destination: "/dev/mqueue", Type: "mqueue", Source: "mqueue", Options: []string{"nosuid", "noexec", "nodev"}},
		{Destination: "/sys", Type: "sysfs", Source: "sysfs", Options: sysOpts},
		{Destination: "/sys/fs/cgroup", Type: "cgroup", Source: "cgroup", Options: cgOpts},
	}
}

// readOnlyTmpfs are the tmpfs podman adds with --read-only (its
// --read-only-tmpfs default), so programs still have scratch space.
var readOnlyTmpfs = []string{"/run", "/tmp", "/var/tmp"}

// mounts builds the mount list: defaults, then the user's mounts (-v,
// --mount, --tmpfs), which replace a default at the same destination. It
// returns the user mount destinations for WithUserVolumes and the named
// and anonymous volumes, which the engine creates and mounts (an image's
// VOLUME paths that no user mount covers become anonymous volumes, as in
// podman).
func mounts(g *specs.Spec, s *spec.ContainerSpec, shm int64, imageVolumes map[string]struct{}) ([]string, []define.VolumeMount, error) {
	switch s.ImageVolume {
	case "", "bind", "tmpfs", "ignore":
	default:
		return nil, nil, invalid("--image-volume %q: must be bind, tmpfs or ignore", s.ImageVolume)
	}
	user, vols, err := userMounts(s.Mounts)
	if err != nil {
		return nil, nil, err
	}
	dests := make([]string, 0, len(user)+len(vols))
	for _, m := range user {
		if slices.Contains(dests, m.Destination) {
			return nil, nil, invalid("duplicate mount destination %s", m.Destination)
		}
		dests = append(dests, m.Destination)
	}
	for _, v := range vols {
		if slices.Contains(dests, v.Dest) {
			return nil, nil, invalid("duplicate mount destination %s", v.Dest)
		}
		dests = append(dests, v.Dest)
	}
	for _, m := range s.Mounts {
		if m.Type != spec.MountImage {
			continue
		}
		dst := path.Clean(m.Destination)
		if slices.Contains(dests, dst) {
			return nil, nil, invalid("duplicate mount destination %s", dst)
		}
		dests = append(dests, dst)
	}
	// The user's own destinations: an image VOLUME's mount is not one
	// (--volumes-from may replace it).
	userDests := slices.Clone(dests)
	if s.ImageVolume != "ignore" {
		var paths []string
		for p := range imageVolumes {
			paths = append(paths, p)
		}
		slices.Sort(paths)
		for _, p := range paths {
			dst := path.Clean("/" + p)
			if dst == "/" || slices.Contains(dests, dst) {
				continue
			}
			if s.ImageVolume == "tmpfs" {
				user = append(user, specs.Mount{Destination: dst, Type: "tmpfs", Source: "tmpfs", Options: []string{"rw", "nosuid", "nodev"}})
			} else {
				vols = append(vols, define.VolumeMount{Dest: dst, FromImage: true})
			}
			dests = append(dests, dst)
		}
	}
	for _, m := range defaultMounts(shm, s.Privileged) {
		if !slices.Contains(dests, m.Destination) {
			g.Mounts = append(g.Mounts, m)
		}
	}
	if s.ReadOnly && !s.NoReadOnlyTmpfs {
		for _, d := range readOnlyTmpfs {
			if !slices.Contains(dests, d) {
				g.Mounts = append(g.Mounts, specs.Mount{
					Destination: d, Type: "tmpfs", Source: "tmpfs",
					Options: []string{"rw", "nosuid", "nodev"},
				})
			}
		}
	}
	g.Mounts = append(g.Mounts, user...)
	return userDests, vols, nil
}

// userMounts turns the typed mounts into OCI mounts (binds, tmpfs,
// devpts) and volume mounts for the engine, checking what the parsers of
// the CLI cannot know for the API: absolute paths, existing sources,
// valid volume names.
func userMounts(ms []spec.Mount) ([]specs.Mount, []define.VolumeMount, error) {
	var user []specs.Mount
	var vols []define.VolumeMount
	for _, m := range ms {
		dst, err := checkDest(m.Destination)
		if err != nil {
			return nil, nil, err
		}
		if m.Propagation != "" && !engine.IsPropagation(m.Propagation) {
			return nil, nil, invalid("mount %s: unknown propagation %q", dst, m.Propagation)
		}
		switch m.Type {
		case spec.MountBind:
			om, err := bindMount(m, dst)
			if err != nil {
				return nil, nil, err
			}
			user = append(user, om)
		case spec.MountVolume:
			if m.Source != "" {
				if err := engine.CheckVolumeName(m.Source); err != nil {
					return nil, nil, err
				}
			}
			if err := checkOverlayDirs(m); err != nil {
				return nil, nil, err
			}
			vols = append(vols, define.VolumeMount{Name: m.Source, Dest: dst, Options: volumeOptions(m), CreateOptions: m.VolumeOptions})
		case spec.MountTmpfs, spec.MountRamfs:
			user = append(user, specs.Mount{Destination: dst, Type: m.Type, Source: m.Type, Options: tmpfsOptions(m)})
		case spec.MountImage:
			// The engine mounts it (imageMounts).
		case spec.MountDevpts:
			// A pty filesystem of its own (podman's type=devpts).
			opts := append([]string{"newinstance", "ptmxmode=0666", "nosuid", "noexec"}, m.Options...)
			user = append(user, specs.Mount{Destination: dst, Type: "devpts", Source: "devpts", Options: opts})
		default:
			return nil, nil, invalid("mount %s: unsupported type %q (bind, volume, image, tmpfs, ramfs or devpts)", dst, m.Type)
		}
	}
	return user, vols, nil
}

// imageMounts are the mounts of images' root filesystems (--mount
// type=image), which the engine resolves at create and mounts at init.
func imageMounts(ms []spec.Mount) ([]define.ImageMount, error) {
	var out []define.ImageMount
	for _, m := range ms {
		if m.Type != spec.MountImage {
			continue
		}
		dst, err := checkDest(m.Destination)
		if err != nil {
			return nil, err
		}
		if m.Source == "" {
			return nil, invalid("image mount %s: no image given", dst)
		}
		sub := m.SubPath
		if sub != "" {
			sub = path.Clean("/" + sub)
		}
		out = append(out, define.ImageMount{Source: m.Source, Dest: dst, ReadWrite: m.ReadWrite, SubPath: sub})
	}
	return out, nil
}

// checkDest validates a container-side mount path.
func checkDest(dst string) (string, error) {
	if !path.IsAbs(dst) {
		return "", invalid("mount destination %q must be an absolute path", dst)
	}
	dst = path.Clean(dst)
	if dst == "/" {
		return "", invalid("mount destination %q: cannot mount over /", dst)
	}
	return dst, nil
}

// bindMount makes the OCI mount of a bind (or of an overlay over a host
// directory, with O).
func bindMount(m spec.Mount, dst string) (specs.Mount, error) {
	if !path.IsAbs(m.Source) {
		return specs.Mount{}, invalid("bind mount source %q must be an absolute path", m.Source)
	}
	src := path.Clean(m.Source)
	st, err := os.Stat(src)
	if err != nil {
		return specs.Mount{}, invalid("bind source %s: %v", src, err)
	}
	if m.IDMap && (m.Overlay || m.Chown) {
		return specs.Mount{}, invalid("mount %s: idmap cannot be combined with O (overlay) or U (chown)", dst)
	}
	if m.Overlay {
		if !st.IsDir() {
			return specs.Mount{}, invalid("O (overlay) needs a directory, %s is not one", src)
		}
		if err := checkOverlayDirs(m); err != nil {
			return specs.Mount{}, err
		}
		var opts []string
		if m.Chown {
			opts = append(opts, "U")
		}
		if m.UpperDir != "" {
			opts = append(opts, "upperdir="+m.UpperDir, "workdir="+m.WorkDir)
		}
		return engine.OverlayMount(src, dst, opts), nil
	}
	var opts []string
	if m.ReadOnly {
		opts = append(opts, "ro")
	}
	opts = append(opts, m.Options...)
	if m.Propagation != "" {
		opts = append(opts, m.Propagation)
	}
	if m.Chown {
		opts = append(opts, "U")
	}
	if m.IDMap {
		opts = append(opts, "idmap")
	}
	om := engine.BindMount(src, dst, opts)
	if m.NonRecursive {
		om.Options[0] = "bind"
	}
	return om, nil
}

// checkOverlayDirs checks an overlay's upper and work directories, which
// the user keeps: both or neither, absolute, existing directories.
func checkOverlayDirs(m spec.Mount) error {
	if !m.Overlay {
		if m.UpperDir != "" || m.WorkDir != "" {
			return invalid("mount %s: upperdir and workdir are options of O (overlay)", m.Destination)
		}
		return nil
	}
	if (m.UpperDir == "") != (m.WorkDir == "") {
		return invalid("mount %s: O (overlay) needs both upperdir and workdir, or neither", m.Destination)
	}
	for _, d := range []string{m.UpperDir, m.WorkDir} {
		if d == "" {
			continue
		}
		if !path.IsAbs(d) {
			return invalid("overlay directory %q must be an absolute path", d)
		}
		if st, err := os.Stat(d); err != nil {
			return invalid("overlay directory %s: %v", d, err)
		} else if !st.IsDir() {
			return invalid("overlay directory %s is not a directory", d)
		}
	}
	return nil
}

// volumeOptions are the options of a volume mount as the engine reads
// them: mount options plus the volume-only nocopy, U and O.
func volumeOptions(m spec.Mount) []string {
	var opts []string
	if m.ReadOnly {
		opts = append(opts, "ro")
	}
	opts = append(opts, m.Options...)
	if m.Propagation != "" {
		opts = append(opts, m.Propagation)
	}
	if m.Chown {
		opts = append(opts, "U")
	}
	if m.NoCopy {
		opts = append(opts, "nocopy")
	}
	if m.Overlay {
		opts = append(opts, "O")
		if m.UpperDir != "" {
			opts = append(opts, "upperdir="+m.UpperDir, "workdir="+m.WorkDir)
		}
	}
	return opts
}

// tmpfsOptions are podman's tmpfs defaults (rw,noexec,nosuid,nodev), each
// replaced by its opposite when given, then the other options, the size
// and the mode.
func tmpfsOptions(m spec.Mount) []string {
	opts := []string{"rw", "noexec", "nosuid", "nodev"}
	if m.ReadOnly {
		opts[0] = "ro"
	}
	opposite := map[string]string{
		"exec": "noexec", "noexec": "exec", "suid": "nosuid", "nosuid": "suid", "dev": "nodev", "nodev": "dev",
	}
	for _, o := range m.Options {
		if opposite[o] != "" {
			opts = slices.DeleteFunc(opts, func(x string) bool { return x == opposite[o] || x == o })
		}
		opts = append(opts, o)
	}
	if m.TmpfsSize > 0 {
		opts = append(opts, "size="+strconv.FormatInt(m.TmpfsSize, 10))
	}
	if m.TmpfsMode != 0 {
		opts = append(opts, "mode="+strconv.FormatUint(uint64(m.TmpfsMode), 8))
	}
	return opts
}

// devices adds the --device nodes: the node in the container and an
// allow rule in the device cgroup.
func devices(g *specs.Spec, s *spec.ContainerSpec) error {
	for _, d := range s.Devices {
		src, dst, perms := d.Source, d.Destination, d.Permissions
		if dst == "" {
			dst = src
		}
		if perms == "" {
			perms = "rwm"
		}
		if !specflag.IsDevicePermissions(perms) {
			return invalid("device %s: permissions %q must be a combination of r, w and m", src, perms)
		}
		if !path.IsAbs(src) || !path.IsAbs(dst) {
			return invalid("device %s: paths must be absolute", src)
		}
		var st unix.Stat_t
		if err := unix.Stat(src, &st); err != nil {
			return invalid("device %s: %v", src, err)
		}
		var typ string
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFCHR:
			typ = "c"
		case unix.S_IFBLK:
			typ = "b"
		default:
			return invalid("device %s is not a device node (directories of devices are not supported yet)", src)
		}
		major, minor := int64(unix.Major(st.Rdev)), int64(unix.Minor(st.Rdev))
		mode := os.FileMode(st.Mode & 0o777)
		uid, gid := st.Uid, st.Gid
		g.Linux.Devices = append(g.Linux.Devices, specs.LinuxDevice{
			Path: path.Clean(dst), Type: typ, Major: major, Minor: minor,
			FileMode: &mode, UID: &uid, GID: &gid,
		})
		g.Linux.Resources.Devices = append(g.Linux.Resources.Devices, specs.LinuxDeviceCgroup{
			Allow: true, Type: typ, Major: &major, Minor: &minor, Access: perms,
		})
	}
	if s.Privileged {
		return addHostDevices(g)
	}
	return nil
}

// checkIDMapMounts refuses idmap bind mounts in a container without a
// user namespace: the mount is idmapped to the container's namespace,
// and without one there is nothing to map to (podman's runtimes fail at
// start; berth says so at create). Rootless, the kernel refuses to idmap
// a host filesystem's mount (mount_setattr: EPERM): refused at create too.
func checkIDMapMounts(g *specs.Spec, rootless bool) error {
	for _, m := range g.Mounts {
		if m.Type != "bind" || !slices.Contains(m.Options, "idmap") {
			continue
		}
		if rootless {
			return invalid("mount %s: idmap is not supported in rootless mode (the kernel idmaps host mounts for root only)", m.Destination)
		}
		if !hasUserNS(g) {
			return invalid("mount %s: idmap needs a user namespace (--userns auto or private, or --uidmap)", m.Destination)
		}
	}
	return nil
}

// hasUserNS reports whether g makes or joins a user namespace.
func hasUserNS(g *specs.Spec) bool {
	return g.Linux != nil && slices.ContainsFunc(g.Linux.Namespaces, func(n specs.LinuxNamespace) bool { return n.Type == specs.UserNamespace })
}
