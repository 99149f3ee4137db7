package generate

import (
	"fmt"
	"github.com/berth-dev/berth/internal/caps"
	"golang.org/x/sys/unix"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/moby/profiles/seccomp"
	"github.com/moby/sys/capability"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/engine"
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
	unmask      []string // "ALL" or paths
	unmaskedAll bool
}

func parseSecurityOpts(in []string) (secOpts, error) {
	var o secOpts
	for _, raw := range in {
		k, v, ok := strings.Cut(raw, "=")
		if !ok {
			k, v, _ = strings.Cut(raw, ":") // docker's old "seccomp:x" form
		}
		switch k {
		case "seccomp":
			if v == "" {
				return o, invalid("--security-opt %q: seccomp needs a profile path or unconfined", raw)
			}
			o.seccomp = v
		case "no-new-privileges":
			switch v {
			case "", "true":
				o.noNewPrivs = true
			case "false":
				o.noNewPrivs = false
			default:
				return o, invalid("--security-opt %q: no-new-privileges takes true or false", raw)
			}
		case "label", "apparmor":
			// No SELinux or AppArmor on our hosts: accepted, nothing to do.
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
				case p == "ALL":
					o.unmaskedAll = true
				case strings.HasPrefix(p, "/"):
					o.unmask = append(o.unmask, p)
				default:
					return o, invalid("--security-opt %q: unmask takes ALL or absolute paths", raw)
				}
			}
		default:
			return o, invalid("--security-opt %q: unknown option", raw)
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

// security sets capabilities, no-new-privileges and the masked and
// read-only paths.
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
	if s.Privileged {
		add(engine.WithPrivileged())
	} else if !o.unmaskedAll {
		for _, p := range DefaultMaskedPaths {
			if !slices.Contains(o.unmask, p) {
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

// seccompProfile sets the seccomp filter: the default profile (moby's,
// shaped by the final capabilities), none for --privileged or
// seccomp=unconfined, or a JSON profile file. Call it after capabilities.
func seccompProfile(g *specs.Spec, s *spec.ContainerSpec, add func(...engine.CtrOption)) error {
	o, err := parseSecurityOpts(s.SecurityOpt)
	if err != nil {
		return err
	}
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
