package specflag

import (
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/docker/go-units"

	"github.com/berth-dev/berth/spec"
)

// IsPropagation reports whether o is a mount propagation option.
func IsPropagation(o string) bool {
	switch o {
	case "shared", "rshared", "slave", "rslave", "private", "rprivate", "unbindable", "runbindable":
		return true
	}
	return false
}

// dest checks a container-side mount path as the flag wrote it.
func dest(flag, raw, dst string) (string, error) {
	if !path.IsAbs(dst) {
		return "", invalid("%s %q: destination %q must be an absolute path", flag, raw, dst)
	}
	dst = path.Clean(dst)
	if dst == "/" {
		return "", invalid("%s %q: cannot mount over /", flag, raw)
	}
	return dst, nil
}

// absSource makes a relative bind source absolute, relative to the
// working directory (docker >= 23 and podman).
func absSource(flag, raw, src string) (string, error) {
	if strings.HasPrefix(src, "/") {
		return path.Clean(src), nil
	}
	abs, err := filepath.Abs(src)
	if err != nil {
		return "", invalid("%s %q: %v", flag, raw, err)
	}
	return abs, nil
}

// Volume parses -v [SRC:]DST[:OPTS] (and a docker API Binds entry). SRC
// is a host path (absolute, or relative to the working directory when it
// starts with "."), else a volume name; without SRC the volume is
// anonymous.
func Volume(v string) (spec.Mount, error) {
	parts := strings.Split(v, ":")
	if len(parts) > 3 || v == "" {
		return spec.Mount{}, invalid("-v %q: must be [SRC:]DST[:OPTIONS]", v)
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
			return spec.Mount{}, invalid("-v %q: empty source", v)
		}
	}
	dst, err := dest("-v", v, dst)
	if err != nil {
		return spec.Mount{}, err
	}
	m := spec.Mount{Type: spec.MountBind, Source: src, Destination: dst}
	isVolume := src == "" || !(strings.HasPrefix(src, "/") || strings.HasPrefix(src, "."))
	if isVolume {
		m.Type = spec.MountVolume
	}
	var rw string
	var opts []string
	if optStr != "" {
		opts = strings.Split(optStr, ",")
	}
	for _, o := range opts {
		switch {
		case o == "ro" || o == "rw":
			if rw != "" {
				return spec.Mount{}, invalid("-v %q: ro and rw given more than once", v)
			}
			rw = o
			m.ReadOnly = o == "ro"
		case o == "z" || o == "Z":
			// SELinux relabel: nothing to relabel without SELinux.
		case IsPropagation(o):
			m.Propagation = o
		case o == "nosuid", o == "nodev", o == "noexec", o == "suid", o == "dev", o == "exec":
			m.Options = append(m.Options, o)
		case o == "U":
			m.Chown = true
		case o == "O":
			m.Overlay = true
		case strings.HasPrefix(o, "upperdir="):
		case strings.HasPrefix(o, "workdir="):
		case o == "nocopy" && isVolume:
			m.NoCopy = true
		case o == "copy" && isVolume:
			m.Options = append(m.Options, o)
		case o == "idmap" && !isVolume:
			m.IDMap = true
		case o == "idmap" || strings.HasPrefix(o, "idmap="):
			return spec.Mount{}, invalid("-v %q: %s", v, errIDMapMount)
		default:
			return spec.Mount{}, invalid("-v %q: unknown option %q", v, o)
		}
	}
	if err := overlayOptions(v, opts, &m); err != nil {
		return spec.Mount{}, err
	}
	if !isVolume {
		if m.Source, err = absSource("-v", v, src); err != nil {
			return spec.Mount{}, err
		}
	}
	return m, nil
}

// overlayOptions enforces podman's rules for -v's O (overlay) option: O
// stands alone, or with U, or with both upperdir= and workdir= (absolute
// directories the user keeps); upperdir= and workdir= need O. opts are
// the options as given.
func overlayOptions(v string, opts []string, m *spec.Mount) error {
	var upper, work string
	for _, o := range opts {
		switch {
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
	if !m.Overlay {
		if upper != "" || work != "" {
			return invalid("-v %q: upperdir and workdir are options of O (overlay)", v)
		}
		return nil
	}
	if (upper == "") != (work == "") {
		return invalid("-v %q: O (overlay) needs both upperdir and workdir, or neither", v)
	}
	others := len(opts) - 1
	if m.Chown {
		others--
	}
	if upper != "" {
		others -= 2
	}
	if others > 0 || (m.Chown && upper != "") {
		return invalid("-v %q: O (overlay) can be combined only with U, or with upperdir and workdir", v)
	}
	for _, d := range []string{upper, work} {
		if d != "" && !path.IsAbs(d) {
			return invalid("-v %q: overlay directory %q must be an absolute path", v, d)
		}
	}
	m.UpperDir, m.WorkDir = upper, work
	return nil
}

// allVolumeOptions reports whether every comma-separated item of s is a
// -v option name.
func allVolumeOptions(s string) bool {
	for _, o := range strings.Split(s, ",") {
		switch {
		case o == "ro", o == "rw", o == "z", o == "Z", o == "U", o == "O", o == "nocopy", o == "copy", IsPropagation(o),
			o == "nosuid", o == "nodev", o == "noexec", o == "suid", o == "dev", o == "exec":
		default:
			return false
		}
	}
	return true
}

// boolOpt reads a true/false --mount option.
func boolOpt(v, k, val string) (bool, error) {
	b, err := strconv.ParseBool(val)
	if err != nil {
		return false, invalid("--mount %q: %s must be true or false", v, k)
	}
	return b, nil
}

// Mount parses --mount type=bind|volume|image|tmpfs|ramfs|devpts,source=,
// target=,... (docker's keys and their aliases).
// errIDMapMount is why an idmap berth does not do is refused: berth
// makes the idmapped mount itself (runc 1.1 has none), of a bind source
// only, with the container's own maps (no idmap=uids=…;gids=…).
const errIDMapMount = "option idmap is supported for bind mounts only, without custom maps (idmap=)"

func Mount(v string) (spec.Mount, error) {
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
		if k == "idmap" {
			// idmap=uids=…;gids=… (custom maps) is not done.
			return spec.Mount{}, invalid("--mount %q: %s", v, errIDMapMount)
		}
		if _, dup := kv[k]; dup {
			return spec.Mount{}, invalid("--mount %q: %s given more than once", v, k)
		}
		kv[k] = val
	}
	typ := kv["type"]
	if len(volOpts) > 0 && typ != spec.MountVolume {
		return spec.Mount{}, invalid("--mount %q: option volume-opt is not valid for type %s", v, typ)
	}
	dst, err := dest("--mount", v, kv["target"])
	if kv["target"] == "" {
		return spec.Mount{}, invalid("--mount %q: target is required", v)
	}
	if err != nil {
		return spec.Mount{}, err
	}
	m := spec.Mount{Type: typ, Destination: dst}
	bareRW := false
	for _, f := range flags {
		switch f {
		case "ro", "readonly":
			m.ReadOnly = true
		case "volume-nocopy", "u", "chown":
			// Bare, as docker and podman take them: true.
			if _, set := kv[f]; !set {
				kv[f] = "true"
			}
		case "rw":
			bareRW = true
		case "idmap":
			m.IDMap = true
		default:
			return spec.Mount{}, invalid("--mount %q: unknown option %q", v, f)
		}
	}
	for _, k := range []string{"readonly", "ro"} {
		if r, ok := kv[k]; ok {
			b, err := strconv.ParseBool(r)
			if err != nil {
				return spec.Mount{}, invalid("--mount %q: %s must be true or false", v, k)
			}
			m.ReadOnly = b
		}
	}
	known := func(keys ...string) error {
		for k := range kv {
			if k != "type" && k != "target" && k != "readonly" && k != "ro" && !contains(keys, k) {
				return invalid("--mount %q: option %s is not valid for type %s", v, k, typ)
			}
		}
		return nil
	}
	chown := func() error {
		for _, k := range []string{"u", "chown"} {
			if val, ok := kv[k]; ok {
				b, err := boolOpt(v, k, val)
				if err != nil {
					return err
				}
				m.Chown = m.Chown || b
			}
		}
		return nil
	}
	propagation := func() error {
		if p, ok := kv["bind-propagation"]; ok {
			if !IsPropagation(p) {
				return invalid("--mount %q: unknown bind-propagation %q", v, p)
			}
			m.Propagation = p
		}
		return nil
	}
	if m.IDMap && typ != spec.MountBind {
		return spec.Mount{}, invalid("--mount %q: %s", v, errIDMapMount)
	}
	switch typ {
	case spec.MountBind:
		if err := known("source", "bind-propagation", "relabel", "bind-nonrecursive", "u", "chown"); err != nil {
			return spec.Mount{}, err
		}
		if kv["source"] == "" {
			return spec.Mount{}, invalid("--mount %q: bind needs a source", v)
		}
		if m.Source, err = absSource("--mount", v, kv["source"]); err != nil {
			return spec.Mount{}, err
		}
		if err := propagation(); err != nil {
			return spec.Mount{}, err
		}
		if err := chown(); err != nil {
			return spec.Mount{}, err
		}
		m.NonRecursive = kv["bind-nonrecursive"] == "true"
		return m, nil
	case spec.MountDevpts:
		// A pty filesystem of its own (podman's type=devpts).
		if err := known("uid", "gid", "mode", "max"); err != nil {
			return spec.Mount{}, err
		}
		for _, k := range []string{"uid", "gid", "mode", "max"} {
			if val, ok := kv[k]; ok {
				base := 10
				if k == "mode" {
					base = 8
				}
				if _, err := strconv.ParseUint(val, base, 32); err != nil {
					return spec.Mount{}, invalid("--mount %q: %s %q must be a number", v, k, val)
				}
				m.Options = append(m.Options, k+"="+val)
			}
		}
		return m, nil
	case spec.MountTmpfs, spec.MountRamfs:
		if err := known("tmpfs-size", "tmpfs-mode"); err != nil {
			return spec.Mount{}, err
		}
		if sz, ok := kv["tmpfs-size"]; ok {
			n, err := units.RAMInBytes(sz)
			if err != nil || n <= 0 {
				return spec.Mount{}, invalid("--mount %q: tmpfs-size %q must be a positive size", v, sz)
			}
			m.TmpfsSize = n
		}
		if md, ok := kv["tmpfs-mode"]; ok {
			n, err := strconv.ParseUint(md, 8, 32)
			if err != nil {
				return spec.Mount{}, invalid("--mount %q: tmpfs-mode %q must be octal", v, md)
			}
			m.TmpfsMode = uint32(n)
		}
		return m, nil
	case spec.MountVolume:
		if err := known("source", "volume-nocopy", "u", "chown", "relabel", "bind-propagation"); err != nil {
			return spec.Mount{}, err
		}
		m.Source = kv["source"]
		if val, ok := kv["volume-nocopy"]; ok {
			if m.NoCopy, err = boolOpt(v, "volume-nocopy", val); err != nil {
				return spec.Mount{}, err
			}
		}
		if err := chown(); err != nil {
			return spec.Mount{}, err
		}
		if err := propagation(); err != nil {
			return spec.Mount{}, err
		}
		for _, o := range volOpts {
			// volume-opt=KEY=VALUE, for a volume created by this mount.
			k, val, found := strings.Cut(o, "=")
			if !found || k == "" {
				return spec.Mount{}, invalid("--mount %q: volume-opt must be KEY=VALUE", v)
			}
			if m.VolumeOptions == nil {
				m.VolumeOptions = map[string]string{}
			}
			m.VolumeOptions[k] = val
		}
		return m, nil
	case spec.MountImage:
		// podman's type=image: an image's root filesystem, read-only
		// unless rw=true (then an overlay whose writes are thrown away).
		if err := known("source", "rw", "subpath"); err != nil {
			return spec.Mount{}, err
		}
		if kv["source"] == "" {
			return spec.Mount{}, invalid("--mount %q: image needs a source", v)
		}
		if m.ReadOnly {
			return spec.Mount{}, invalid("--mount %q: option ro is not valid for type image (image mounts are read-only unless rw=true)", v)
		}
		m.Source, m.SubPath, m.ReadWrite = kv["source"], kv["subpath"], bareRW
		if val, ok := kv["rw"]; ok {
			if m.ReadWrite, err = boolOpt(v, "rw", val); err != nil {
				return spec.Mount{}, err
			}
		}
		return m, nil
	case "":
		return spec.Mount{}, invalid("--mount %q: type is required (bind, volume, image, tmpfs, ramfs or devpts)", v)
	}
	return spec.Mount{}, invalid("--mount %q: unsupported type %q (bind, glob, volume, image, tmpfs, ramfs or devpts)", v, typ)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Tmpfs parses --tmpfs DST[:OPTS].
func Tmpfs(v string) (spec.Mount, error) {
	dst, opts, _ := strings.Cut(v, ":")
	return TmpfsOptions("--tmpfs", v, dst, opts)
}

// TmpfsOptions parses the mount options of a tmpfs at dst (--tmpfs's,
// or the value of the docker API's Tmpfs map): size= and mode= become
// typed, the rest stay as given; ro and rw set ReadOnly. flag and raw
// name the input in errors.
func TmpfsOptions(flag, raw, dst, optStr string) (spec.Mount, error) {
	dst, err := dest(flag, raw, dst)
	if err != nil {
		return spec.Mount{}, err
	}
	m := spec.Mount{Type: spec.MountTmpfs, Destination: dst}
	if optStr == "" {
		return m, nil
	}
	for _, o := range strings.Split(optStr, ",") {
		k, val, _ := strings.Cut(o, "=")
		switch {
		case o == "ro" || o == "rw":
			m.ReadOnly = o == "ro"
		case o == "exec", o == "noexec", o == "suid", o == "nosuid", o == "dev", o == "nodev":
			m.Options = append(m.Options, o)
		case k == "size":
			if n, err := units.RAMInBytes(val); err == nil && n > 0 {
				m.TmpfsSize = n
			} else {
				m.Options = append(m.Options, o) // 50%, as mount(8) takes it
			}
		case k == "mode":
			n, err := strconv.ParseUint(val, 8, 32)
			if err != nil {
				return spec.Mount{}, invalid("%s %q: mode %q must be octal", flag, raw, val)
			}
			m.TmpfsMode = uint32(n)
		case k == "uid", k == "gid", k == "nr_inodes", k == "nr_blocks":
			m.Options = append(m.Options, o)
		case o == "notmpcopyup", o == "tmpcopyup":
		case o == "strictatime", o == "relatime", o == "noatime", o == "atime", o == "nodiratime":
			m.Options = append(m.Options, o)
		default:
			return spec.Mount{}, invalid("%s %q: unknown option %q", flag, raw, o)
		}
	}
	return m, nil
}
