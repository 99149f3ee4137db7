package generate

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/moby/profiles/seccomp"
	"github.com/moby/sys/capability"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/apparmor"
	"github.com/berth-dev/berth/internal/caps"
	"github.com/berth-dev/berth/internal/selinux"
	"github.com/berth-dev/berth/spec"
)

// DefaultCapabilities is podman's default capability set.
var DefaultCapabilities = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
	"CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP",
	"CAP_SETUID", "CAP_SYS_CHROOT",
}

// DefaultMaskedPaths are hidden from unprivileged containers (podman's list).
var DefaultMaskedPaths = []string{
	"/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
	"/proc/sched_debug", "/proc/scsi", "/proc/timer_list", "/proc/timer_stats",
	"/sys/dev/block", "/sys/devices/virtual/powercap", "/sys/firmware",
	"/sys/fs/selinux",
}

// DefaultReadonlyPaths are read-only in unprivileged containers (podman's).
var DefaultReadonlyPaths = []string{
	"/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
	"/proc/sysrq-trigger",
}

// secOpts is --security-opt after parsing.
type secOpts struct {
	seccomp     string // "", "unconfined" or a path
	noNewPrivs  bool
	mask        []string
	unmask      []string // paths
	unmaskedAll bool
	apparmor    string   // "" when not given
	labels      []string // label= values, in order
	procOpts    []string
}

// parseSecurityOpts reads --security-opt values with podman's rules and
// messages: KEY=VALUE (or docker's old KEY:VALUE), no-new-privileges
// alone, and nothing unknown.
func parseSecurityOpts(in []string) (secOpts, error) {
	var o secOpts
	for _, raw := range in {
		if raw == "no-new-privileges" {
			o.noNewPrivs = true
			continue
		}
		sep := "="
		if !strings.Contains(raw, "=") {
			sep = ":"
		}
		k, v, ok := strings.Cut(raw, sep)
		if !ok {
			return o, invalid("invalid --security-opt 1: %q", raw)
		}
		switch k {
		case "seccomp":
			if v == "" {
				return o, invalid("--security-opt %q: seccomp needs a profile path or unconfined", raw)
			}
			o.seccomp = v
		case "no-new-privileges":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return o, invalid("invalid --security-opt 2: %q", raw)
			}
			o.noNewPrivs = b
		case "apparmor":
			if v == "" {
				return o, invalid("--security-opt %q: apparmor needs a profile name or unconfined", raw)
			}
			o.apparmor = v
		case "label":
			o.labels = append(o.labels, v)
		case "mask":
			for _, p := range strings.Split(v, ":") {
				if !strings.HasPrefix(p, "/") {
					return o, invalid("--security-opt %q: mask paths must be absolute", raw)
				}
				o.mask = append(o.mask, p)
			}
		case "unmask":
			for _, p := range strings.Split(v, ":") {
				switch {
				case strings.EqualFold(p, "ALL"):
					o.unmaskedAll = true
				case strings.HasPrefix(p, "/"):
					o.unmask = append(o.unmask, p)
				default:
					return o, invalid("--security-opt %q: unmask takes ALL or absolute paths", raw)
				}
			}
		case "systempaths":
			// docker's spelling of unmask=ALL.
			if v != "unconfined" {
				return o, invalid("invalid systempaths option %q, only `unconfined` is supported", v)
			}
			o.unmaskedAll = true
		case "proc-opts":
			for _, p := range strings.Split(v, ",") {
				if p == "" {
					return o, invalid("--security-opt %q: empty /proc mount option", raw)
				}
				o.procOpts = append(o.procOpts, p)
			}
		default:
			return o, invalid("invalid --security-opt 2: %q", raw)
		}
	}
	return o, nil
}

// normalizeCap turns "net_admin", "NET_ADMIN" or "CAP_NET_ADMIN" into
// "CAP_NET_ADMIN" and checks it is a capability we know.
func normalizeCap(flag, c string) (string, error) {
	up := strings.ToUpper(strings.TrimSpace(c))
	if up == "ALL" {
		return "ALL", nil
	}
	up = "CAP_" + strings.TrimPrefix(up, "CAP_")
	for _, k := range capability.ListKnown() {
		if "CAP_"+strings.ToUpper(k.String()) == up {
			return up, nil
		}
	}
	return "", invalid("%s %q: unknown capability", flag, c)
}

// allCaps is every capability the running kernel supports (all known ones
// when that cannot be read).
func allCaps() []string { return caps.All() }

// capabilities applies docker's rule: start from the default set (all with
// --privileged), add --cap-add (ALL: everything), then remove --cap-drop
// (ALL: everything not also added explicitly).
func capabilities(s *spec.ContainerSpec) ([]string, error) {
	base := DefaultCapabilities
	if s.Privileged {
		base = allCaps()
	}
	var add, drop []string
	addAll, dropAll := false, false
	for _, c := range s.CapAdd {
		n, err := normalizeCap("--cap-add", c)
		if err != nil {
			return nil, err
		}
		if n == "ALL" {
			addAll = true
			continue
		}
		add = append(add, n)
	}
	for _, c := range s.CapDrop {
		n, err := normalizeCap("--cap-drop", c)
		if err != nil {
			return nil, err
		}
		if n == "ALL" {
			dropAll = true
			continue
		}
		drop = append(drop, n)
	}
	var caps []string
	switch {
	case addAll:
		caps = allCaps()
	case dropAll:
		caps = nil
	default:
		caps = append([]string{}, base...)
	}
	for _, c := range add {
		if !slices.Contains(caps, c) {
			caps = append(caps, c)
		}
	}
	caps = slices.DeleteFunc(caps, func(c string) bool {
		return slices.Contains(drop, c) && !slices.Contains(add, c)
	})
	slices.Sort(caps)
	return caps, nil
}

// apparmorHost and selinuxHost are the host's AppArmor and SELinux as
// generate sees them; tests play hosts that have them.
var (
	apparmorHost = apparmor.Default
	selinuxHost  = selinux.Default
)

// security sets capabilities, no-new-privileges, the AppArmor profile,
// the SELinux labels and the masked and read-only paths.
func security(g *specs.Spec, s *spec.ContainerSpec, add func(...engine.CtrOption)) error {
	o, err := parseSecurityOpts(s.SecurityOpt)
	if err != nil {
		return err
	}
	caps, err := capabilities(s)
	if err != nil {
		return err
	}
	if caps == nil {
		caps = []string{}
	}
	g.Process.Capabilities = &specs.LinuxCapabilities{
		Bounding:    caps,
		Effective:   slices.Clone(caps),
		Permitted:   slices.Clone(caps),
		Inheritable: []string{},
		Ambient:     []string{},
	}
	g.Process.NoNewPrivileges = o.noNewPrivs
	nested, err := macLabels(g, s, &o)
	if err != nil {
		return err
	}
	if s.Privileged {
		add(engine.WithPrivileged())
	} else if !o.unmaskedAll {
		for _, p := range DefaultMaskedPaths {
			if !slices.Contains(o.unmask, p) && !(nested && p == "/sys/fs/selinux") {
				g.Linux.MaskedPaths = append(g.Linux.MaskedPaths, p)
			}
		}
		for _, p := range DefaultReadonlyPaths {
			if !slices.Contains(o.unmask, p) {
				g.Linux.ReadonlyPaths = append(g.Linux.ReadonlyPaths, p)
			}
		}
	}
	for _, p := range o.mask {
		if !slices.Contains(g.Linux.MaskedPaths, p) {
			g.Linux.MaskedPaths = append(g.Linux.MaskedPaths, p)
		}
	}
	return nil
}

// macLabels sets the AppArmor profile and the SELinux labels (podman's
// rules, see internal/apparmor and internal/selinux) and records the
// options as given. nested reports label=nested: the container may see
// /sys/fs/selinux.
func macLabels(g *specs.Spec, s *spec.ContainerSpec, o *secOpts) (nested bool, err error) {
	prof, err := apparmorHost.Resolve(o.apparmor, s.Privileged)
	if err != nil {
		return false, err
	}
	g.Process.ApparmorProfile = prof
	lo, err := selinux.Parse(o.labels)
	if err != nil {
		return false, invalid("--security-opt label: %v", err)
	}
	if g.Process.SelinuxLabel, g.Linux.MountLabel, err = selinuxHost.Labels(lo); err != nil {
		return false, err
	}
	if o.apparmor != "" || len(o.labels) > 0 {
		if g.Annotations == nil {
			g.Annotations = map[string]string{}
		}
		if o.apparmor != "" {
			g.Annotations[define.InspectAnnotationAppArmor] = o.apparmor
		}
		if len(o.labels) > 0 {
			g.Annotations[define.InspectAnnotationLabel] = strings.Join(o.labels, ",label=")
		}
	}
	return lo.Nested, nil
}

// finishSecurity does what has to wait for the rest of the spec: the
// seccomp filter (the default one depends on the final capabilities) and
// proc-opts (on the /proc mount). Call it last.
func finishSecurity(g *specs.Spec, s *spec.ContainerSpec, add func(...engine.CtrOption)) error {
	o, err := parseSecurityOpts(s.SecurityOpt)
	if err != nil {
		return err
	}
	if len(o.procOpts) > 0 {
		for i := range g.Mounts {
			if g.Mounts[i].Destination == "/proc" && g.Mounts[i].Type == "proc" {
				g.Mounts[i].Options = append(g.Mounts[i].Options, o.procOpts...)
			}
		}
	}
	return seccompProfile(g, s, o, add)
}

// seccompProfile sets the seccomp filter: the default profile (moby's,
// shaped by the final capabilities), none for --privileged or
// seccomp=unconfined, or a JSON profile file.
func seccompProfile(g *specs.Spec, s *spec.ContainerSpec, o secOpts, add func(...engine.CtrOption)) error {
	switch {
	case o.seccomp == "unconfined":
		add(engine.WithSeccomp("unconfined"))
		return nil
	case o.seccomp != "":
		data, err := os.ReadFile(o.seccomp)
		if err != nil {
			return invalid("--security-opt seccomp=%s: %v", o.seccomp, err)
		}
		prof, err := seccomp.LoadProfile(string(data), g)
		if err != nil {
			return invalid("--security-opt seccomp=%s: %v", o.seccomp, err)
		}
		g.Linux.Seccomp = prof
		add(engine.WithSeccomp(o.seccomp))
		return nil
	case s.Privileged:
		// Privileged containers run without a filter unless one is asked
		// for explicitly, like docker and podman.
		return nil
	}
	prof, err := seccomp.GetDefaultProfile(g)
	if err != nil {
		return fmt.Errorf("default seccomp profile: %w", err)
	}
	if !x32Supported() {
		// A kernel without the x32 ABI cannot run x32 syscalls at all, so
		// their filter is dead weight; dropping it cuts the runtime's
		// filter compilation (runc: ~19 ms of every container start).
		prof.Architectures = slices.DeleteFunc(prof.Architectures, func(a specs.Arch) bool { return a == specs.ArchX32 })
	}
	g.Linux.Seccomp = prof
	return nil
}

// x32Supported reports whether the kernel runs x32-ABI syscalls. Kernels
// built without CONFIG_X86_X32_ABI answer any syscall number carrying the
// x32 bit with ENOSYS; the probe is getpid, which has no side effects.
var x32Supported = sync.OnceValue(func() bool {
	if runtime.GOARCH != "amd64" {
		return false
	}
	const x32Bit, sysGetpid = 0x40000000, 39
	_, _, errno := unix.RawSyscall(x32Bit|sysGetpid, 0, 0, 0)
	return errno != unix.ENOSYS
})
