package generate

import (
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/docker/go-units"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
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

// mounts builds the mount list: defaults, then the user's -v, --mount and
// --tmpfs, which replace a default at the same destination. It returns the
// user mount destinations for WithUserVolumes and the named and anonymous
// volumes, which the engine creates and mounts (an image's VOLUME paths
// that no user mount covers become anonymous volumes, as in podman).
func mounts(g *specs.Spec, s *spec.ContainerSpec, shm int64, imageVolumes map[string]struct{}) ([]string, []define.VolumeMount, error) {
	switch s.ImageVolume {
	case "", "bind", "tmpfs", "ignore":
	default:
		return nil, nil, invalid("--image-volume %q: must be bind, tmpfs or ignore", s.ImageVolume)
	}
	var user []specs.Mount
	var vols []define.VolumeMount
	for _, v := range s.Volumes {
		m, vm, err := parseVolume(v)
		if err != nil {
			return nil, nil, err
		}
		if vm != nil {
			vols = append(vols, *vm)
			continue
		}
		user = append(user, m)
	}
	for _, v := range s.Mounts {
		m, vm, err := parseMount(v)
		if err != nil {
			return nil, nil, err
		}
		if vm != nil {
			vols = append(vols, *vm)
			continue
		}
		user = append(user, m)
	}
	for _, v := range s.Tmpfs {
		m, err := parseTmpfs(v)
		if err != nil {
			return nil, nil, err
		}
		user = append(user, m)
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

// checkDest validates a container-side mount path.
func checkDest(flag, raw, dst string) (string, error) {
	if !path.IsAbs(dst) {
		return "", invalid("%s %q: destination %q must be an absolute path", flag, raw, dst)
	}
	dst = path.Clean(dst)
	if dst == "/" {
		return "", invalid("%s %q: cannot mount over /", flag, raw)
	}
	return dst, nil
}

// checkSource validates a host bind-mount source: absolute and existing.
func checkSource(flag, raw, src string) error {
	if _, err := os.Stat(src); err != nil {
		return invalid("%s %q: bind source %s: %v", flag, raw, src, err)
	}
	return nil
}

// parseVolume parses -v [SRC:]DST[:OPTS]. SRC is a host path (absolute,
// or relative to the working directory when it starts with "."), else a
// volume name; without SRC the volume is anonymous. A volume comes back
// as a VolumeMount for the engine, a host path as a bind mount.
func parseVolume(v string) (specs.Mount, *define.VolumeMount, error) {
	parts := strings.Split(v, ":")
	if len(parts) > 3 || v == "" {
		return specs.Mount{}, nil, invalid("-v %q: must be [SRC:]DST[:OPTIONS]", v)
	}
	var src, dst, optStr string
	switch {
	case len(parts) == 1:
		dst = parts[0]
	case len(parts) == 2 && strings.HasPrefix(parts[0], "/") && allVolumeOptions(parts[1]):
		// -v /dst:ro, an anonymous volume with options (podman's rule:
		// a second part that parses as options is options)
		dst, optStr = parts[0], parts[1]
	default:
		src, dst = parts[0], parts[1]
		if len(parts) == 3 {
			optStr = parts[2]
		}
		if src == "" {
			return specs.Mount{}, nil, invalid("-v %q: empty source", v)
		}
	}
	dst, err := checkDest("-v", v, dst)
	if err != nil {
		return specs.Mount{}, nil, err
	}
	isVolume := src == "" || !(strings.HasPrefix(src, "/") || strings.HasPrefix(src, "."))
	var opts []string
	rw := ""
	if optStr != "" {
		for _, o := range strings.Split(optStr, ",") {
			switch {
			case o == "ro" || o == "rw":
				if rw != "" {
					return specs.Mount{}, nil, invalid("-v %q: ro and rw given more than once", v)
				}
				rw = o
				opts = append(opts, o)
			case o == "z" || o == "Z":
				// SELinux relabel: nothing to relabel without SELinux.
			case engine.IsPropagation(o):
				opts = append(opts, o)
			case o == "nosuid", o == "nodev", o == "noexec", o == "suid", o == "dev", o == "exec":
				opts = append(opts, o)
			case o == "U", o == "O", strings.HasPrefix(o, "upperdir="), strings.HasPrefix(o, "workdir="):
				opts = append(opts, o)
			case (o == "nocopy" || o == "copy") && isVolume:
				opts = append(opts, o)
			default:
				return specs.Mount{}, nil, invalid("-v %q: unknown option %q", v, o)
			}
		}
	}
	if err := checkOverlay(v, strings.Split(optStr, ",")); err != nil {
		return specs.Mount{}, nil, err
	}
	if isVolume {
		if src != "" {
			if err := engine.CheckVolumeName(src); err != nil {
				return specs.Mount{}, nil, invalid("-v %q: %v", v, err)
			}
		}
		return specs.Mount{}, &define.VolumeMount{Name: src, Dest: dst, Options: opts}, nil
	}
	if strings.HasPrefix(src, ".") {
		abs, err := filepath.Abs(src)
		if err != nil {
			return specs.Mount{}, nil, invalid("-v %q: %v", v, err)
		}
		src = abs
	}
	if err := checkSource("-v", v, src); err != nil {
		return specs.Mount{}, nil, err
	}
	src = path.Clean(src)
	if slices.Contains(opts, "O") {
		if st, err := os.Stat(src); err == nil && !st.IsDir() {
			return specs.Mount{}, nil, invalid("-v %q: O (overlay) needs a directory, %s is not one", v, src)
		}
		return engine.OverlayMount(src, dst, slices.DeleteFunc(opts, func(o string) bool { return o == "O" })), nil, nil
	}
	return engine.BindMount(src, dst, opts), nil, nil
}

// checkOverlay enforces podman's rules for -v's O (overlay) option: O
// stands alone, or with U, or with both upperdir= and workdir= (absolute
// directories the user keeps); upperdir= and workdir= need O. opts are
// the options as given.
func checkOverlay(v string, opts []string) error {
	var overlay, chown bool
	var upper, work string
	for _, o := range opts {
		switch {
		case o == "O":
			overlay = true
		case o == "U":
			chown = true
		case strings.HasPrefix(o, "upperdir="):
			if upper != "" {
				return invalid("-v %q: upperdir given more than once", v)
			}
			upper = strings.TrimPrefix(o, "upperdir=")
		case strings.HasPrefix(o, "workdir="):
			if work != "" {
				return invalid("-v %q: workdir given more than once", v)
			}
			work = strings.TrimPrefix(o, "workdir=")
		}
	}
	if !overlay {
		if upper != "" || work != "" {
			return invalid("-v %q: upperdir and workdir are options of O (overlay)", v)
		}
		return nil
	}
	if (upper == "") != (work == "") {
		return invalid("-v %q: O (overlay) needs both upperdir and workdir, or neither", v)
	}
	others := len(opts) - 1
	if chown {
		others--
	}
	if upper != "" {
		others -= 2
	}
	if others > 0 || (chown && upper != "") {
		return invalid("-v %q: O (overlay) can be combined only with U, or with upperdir and workdir", v)
	}
	for _, d := range []string{upper, work} {
		if d == "" {
			continue
		}
		if !path.IsAbs(d) {
			return invalid("-v %q: overlay directory %q must be an absolute path", v, d)
		}
		if st, err := os.Stat(d); err != nil {
			return invalid("-v %q: overlay directory %s: %v", v, d, err)
		} else if !st.IsDir() {
			return invalid("-v %q: overlay directory %s is not a directory", v, d)
		}
	}
	return nil
}

// allVolumeOptions reports whether every comma-separated item of s is a
// -v option name.
func allVolumeOptions(s string) bool {
	for _, o := range strings.Split(s, ",") {
		switch {
		case o == "ro", o == "rw", o == "z", o == "Z", o == "U", o == "O", o == "nocopy", o == "copy", engine.IsPropagation(o),
			o == "nosuid", o == "nodev", o == "noexec", o == "suid", o == "dev", o == "exec":
		default:
			return false
		}
	}
	return true
}

// parseMount parses --mount type=bind|tmpfs,source=,target=,... (docker's
// keys and their aliases).
func parseMount(v string) (specs.Mount, *define.VolumeMount, error) {
	kv := map[string]string{}
	var volOpts []string
	var flags []string
	for _, f := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(f, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		if !ok {
			flags = append(flags, k)
			continue
		}
		switch k {
		case "src":
			k = "source"
		case "dst", "destination":
			k = "target"
		case "volume-opt":
			// Repeated, one driver option each (docker's form).
			volOpts = append(volOpts, val)
			continue
		}
		if _, dup := kv[k]; dup {
			return specs.Mount{}, nil, invalid("--mount %q: %s given more than once", v, k)
		}
		kv[k] = val
	}
	typ := kv["type"]
	if len(volOpts) > 0 && typ != "volume" {
		return specs.Mount{}, nil, invalid("--mount %q: option volume-opt is not valid for type %s", v, typ)
	}
	dst, err := checkDest("--mount", v, kv["target"])
	if kv["target"] == "" {
		return specs.Mount{}, nil, invalid("--mount %q: target is required", v)
	}
	if err != nil {
		return specs.Mount{}, nil, err
	}
	readonly := false
	for _, f := range flags {
		switch f {
		case "ro", "readonly":
			readonly = true
		case "volume-nocopy", "u", "chown":
			// Bare, as docker and podman take them: true.
			if _, set := kv[f]; !set {
				kv[f] = "true"
			}
		case "rw":
		default:
			return specs.Mount{}, nil, invalid("--mount %q: unknown option %q", v, f)
		}
	}
	if r, ok := kv["readonly"]; ok {
		b, err := strconv.ParseBool(r)
		if err != nil {
			return specs.Mount{}, nil, invalid("--mount %q: readonly must be true or false", v)
		}
		readonly = b
	}
	if r, ok := kv["ro"]; ok {
		b, err := strconv.ParseBool(r)
		if err != nil {
			return specs.Mount{}, nil, invalid("--mount %q: ro must be true or false", v)
		}
		readonly = b
	}
	known := func(keys ...string) error {
		for k := range kv {
			if k != "type" && k != "target" && k != "readonly" && k != "ro" && !slices.Contains(keys, k) {
				return invalid("--mount %q: option %s is not valid for type %s", v, k, typ)
			}
		}
		return nil
	}
	switch typ {
	case "bind":
		if err := known("source", "bind-propagation", "relabel", "bind-nonrecursive", "u", "chown"); err != nil {
			return specs.Mount{}, nil, err
		}
		src := kv["source"]
		if src == "" {
			return specs.Mount{}, nil, invalid("--mount %q: bind needs a source", v)
		}
		if !strings.HasPrefix(src, "/") {
			// Relative to the working directory, as docker >= 23 and podman.
			abs, err := filepath.Abs(src)
			if err != nil {
				return specs.Mount{}, nil, invalid("--mount %q: %v", v, err)
			}
			src = abs
		}
		if err := checkSource("--mount", v, src); err != nil {
			return specs.Mount{}, nil, err
		}
		var opts []string
		if readonly {
			opts = append(opts, "ro")
		}
		if p, ok := kv["bind-propagation"]; ok {
			if !engine.IsPropagation(p) {
				return specs.Mount{}, nil, invalid("--mount %q: unknown bind-propagation %q", v, p)
			}
			opts = append(opts, p)
		}
		for _, k := range []string{"u", "chown"} {
			if val, ok := kv[k]; ok {
				b, err := strconv.ParseBool(val)
				if err != nil {
					return specs.Mount{}, nil, invalid("--mount %q: %s must be true or false", v, k)
				}
				if b && !slices.Contains(opts, "U") {
					opts = append(opts, "U")
				}
			}
		}
		m := engine.BindMount(path.Clean(src), dst, opts)
		if kv["bind-nonrecursive"] == "true" {
			m.Options[0] = "bind"
		}
		return m, nil, nil
	case "devpts":
		// A pty filesystem of its own (podman's type=devpts).
		if err := known("uid", "gid", "mode", "max"); err != nil {
			return specs.Mount{}, nil, err
		}
		opts := []string{"newinstance", "ptmxmode=0666", "nosuid", "noexec"}
		for _, k := range []string{"uid", "gid", "mode", "max"} {
			if val, ok := kv[k]; ok {
				base := 10
				if k == "mode" {
					base = 8
				}
				if _, err := strconv.ParseUint(val, base, 32); err != nil {
					return specs.Mount{}, nil, invalid("--mount %q: %s %q must be a number", v, k, val)
				}
				opts = append(opts, k+"="+val)
			}
		}
		return specs.Mount{Destination: dst, Type: "devpts", Source: "devpts", Options: opts}, nil, nil
	case "tmpfs", "ramfs":
		if err := known("tmpfs-size", "tmpfs-mode"); err != nil {
			return specs.Mount{}, nil, err
		}
		opts := []string{"rw", "noexec", "nosuid", "nodev"}
		if readonly {
			opts[0] = "ro"
		}
		if sz, ok := kv["tmpfs-size"]; ok {
			n, err := units.RAMInBytes(sz)
			if err != nil || n <= 0 {
				return specs.Mount{}, nil, invalid("--mount %q: tmpfs-size %q must be a positive size", v, sz)
			}
			opts = append(opts, "size="+strconv.FormatInt(n, 10))
		}
		if md, ok := kv["tmpfs-mode"]; ok {
			if _, err := strconv.ParseUint(md, 8, 32); err != nil {
				return specs.Mount{}, nil, invalid("--mount %q: tmpfs-mode %q must be octal", v, md)
			}
			opts = append(opts, "mode="+md)
		}
		return specs.Mount{Destination: dst, Type: typ, Source: typ, Options: opts}, nil, nil
	case "volume":
		if err := known("source", "volume-nocopy", "u", "chown", "relabel", "bind-propagation"); err != nil {
			return specs.Mount{}, nil, err
		}
		vm := &define.VolumeMount{Name: kv["source"], Dest: dst}
		if vm.Name != "" {
			if err := engine.CheckVolumeName(vm.Name); err != nil {
				return specs.Mount{}, nil, invalid("--mount %q: %v", v, err)
			}
		}
		if readonly {
			vm.Options = append(vm.Options, "ro")
		}
		for _, k := range []string{"volume-nocopy", "u", "chown"} {
			val, ok := kv[k]
			if !ok {
				continue
			}
			b, err := strconv.ParseBool(val)
			if err != nil {
				return specs.Mount{}, nil, invalid("--mount %q: %s must be true or false", v, k)
			}
			switch {
			case b && k == "volume-nocopy":
				vm.Options = append(vm.Options, "nocopy")
			case b:
				vm.Options = append(vm.Options, "U")
			}
		}
		if p, ok := kv["bind-propagation"]; ok {
			if !engine.IsPropagation(p) {
				return specs.Mount{}, nil, invalid("--mount %q: unknown bind-propagation %q", v, p)
			}
			vm.Options = append(vm.Options, p)
		}
		for _, o := range volOpts {
			// volume-opt=KEY=VALUE, for a volume created by this mount.
			k, val, found := strings.Cut(o, "=")
			if !found || k == "" {
				return specs.Mount{}, nil, invalid("--mount %q: volume-opt must be KEY=VALUE", v)
			}
			if vm.CreateOptions == nil {
				vm.CreateOptions = map[string]string{}
			}
			vm.CreateOptions[k] = val
		}
		return specs.Mount{}, vm, nil
	case "":
		return specs.Mount{}, nil, invalid("--mount %q: type is required (bind, volume, tmpfs, ramfs or devpts)", v)
	}
	return specs.Mount{}, nil, invalid("--mount %q: unsupported type %q (bind, volume, tmpfs, ramfs or devpts)", v, typ)
}

// parseTmpfs parses --tmpfs DST[:OPTS] with podman's defaults
// (rw,noexec,nosuid,nodev); an option overrides its opposite default.
func parseTmpfs(v string) (specs.Mount, error) {
	dst, optStr, _ := strings.Cut(v, ":")
	dst, err := checkDest("--tmpfs", v, dst)
	if err != nil {
		return specs.Mount{}, err
	}
	opts := []string{"rw", "noexec", "nosuid", "nodev"}
	opposite := map[string]string{
		"ro": "rw", "rw": "ro", "exec": "noexec", "noexec": "exec",
		"suid": "nosuid", "nosuid": "suid", "dev": "nodev", "nodev": "dev",
	}
	if optStr != "" {
		for _, o := range strings.Split(optStr, ",") {
			k, _, _ := strings.Cut(o, "=")
			switch {
			case opposite[o] != "":
				opts = slices.DeleteFunc(opts, func(x string) bool { return x == opposite[o] || x == o })
			case k == "size", k == "mode", k == "uid", k == "gid", k == "nr_inodes", k == "nr_blocks":
				opts = slices.DeleteFunc(opts, func(x string) bool { return strings.HasPrefix(x, k+"=") })
			case o == "notmpcopyup", o == "tmpcopyup", o == "strictatime", o == "relatime", o == "noatime", o == "atime", o == "nodiratime":
			default:
				return specs.Mount{}, invalid("--tmpfs %q: unknown option %q", v, o)
			}
			if o == "notmpcopyup" || o == "tmpcopyup" {
				continue
			}
			opts = append(opts, o)
		}
	}
	return specs.Mount{Destination: dst, Type: "tmpfs", Source: "tmpfs", Options: opts}, nil
}

// devices adds --device HOST[:CONTAINER[:PERMS]]: the node in the
// container and an allow rule in the device cgroup.
func devices(g *specs.Spec, s *spec.ContainerSpec) error {
	for _, d := range s.Devices {
		parts := strings.Split(d, ":")
		if len(parts) > 3 {
			return invalid("--device %q: must be HOST[:CONTAINER[:PERMISSIONS]]", d)
		}
		src, dst, perms := parts[0], parts[0], "rwm"
		if len(parts) >= 2 {
			if isPerms(parts[1]) && len(parts) == 2 {
				perms = parts[1]
			} else {
				dst = parts[1]
			}
		}
		if len(parts) == 3 {
			perms = parts[2]
		}
		if !isPerms(perms) {
			return invalid("--device %q: permissions %q must be a combination of r, w and m", d, perms)
		}
		if !path.IsAbs(src) || !path.IsAbs(dst) {
			return invalid("--device %q: paths must be absolute", d)
		}
		var st unix.Stat_t
		if err := unix.Stat(src, &st); err != nil {
			return invalid("--device %q: %s: %v", d, src, err)
		}
		var typ string
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFCHR:
			typ = "c"
		case unix.S_IFBLK:
			typ = "b"
		default:
			return invalid("--device %q: %s is not a device node (directories of devices are not supported yet)", d, src)
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

func isPerms(p string) bool {
	if p == "" || len(p) > 3 {
		return false
	}
	for _, r := range p {
		if !strings.ContainsRune("rwm", r) {
			return false
		}
	}
	return true
}
