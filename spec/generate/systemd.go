package generate

import (
	"path"
	"slices"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// systemdInits are the commands --systemd=true (the default) runs in
// systemd mode, as podman: an init path, or any command named systemd.
var systemdInits = []string{"/sbin/init", "/usr/sbin/init", "/usr/local/sbin/init"}

// sigRTMin3 is SIGRTMIN+3, systemd's "halt" signal: a systemd container's
// default stop signal.
const sigRTMin3 = unix.Signal(37)

// systemdMode reports whether the container runs in podman's systemd mode
// (--systemd true|false|always) for the process args.
func systemdMode(mode string, args []string) (bool, error) {
	switch mode {
	case "", "true":
		return len(args) > 0 && (slices.Contains(systemdInits, args[0]) || path.Base(args[0]) == "systemd"), nil
	case "false":
		return false, nil
	case "always":
		return true, nil
	}
	return false, invalid("invalid value %q for --systemd: must be true, false or always", mode)
}

// systemdMounts are podman's systemd mode's filesystems: tmpfs (of size
// bytes, 0 the default) on /run, /run/lock, /tmp and /var/lib/journal
// (each unless the user mounted
// something there), and a writable cgroup filesystem, which systemd
// manages its services in.
func systemdMounts(g *specs.Spec, dests []string, size int64) {
	for _, d := range []string{"/run", "/run/lock", "/tmp", "/var/lib/journal"} {
		if slices.Contains(dests, d) {
			continue
		}
		g.Mounts = slices.DeleteFunc(g.Mounts, func(m specs.Mount) bool { return m.Destination == d })
		opts := []string{"rw", "rprivate", "nosuid", "nodev", "tmpcopyup"}
		if size > 0 {
			opts = append(opts, "size="+strconv.FormatInt(size, 10))
		}
		g.Mounts = append(g.Mounts, specs.Mount{Destination: d, Type: "tmpfs", Source: "tmpfs", Options: opts})
	}
	for i, m := range g.Mounts {
		if m.Destination == "/sys/fs/cgroup" && m.Type == "cgroup" {
			g.Mounts[i].Options = slices.DeleteFunc(slices.Clone(m.Options), func(o string) bool { return o == "ro" })
			g.Mounts[i].Options = append(g.Mounts[i].Options, "rw")
		}
	}
}
