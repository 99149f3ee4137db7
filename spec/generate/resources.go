package generate

import (
	"math"
	"strconv"
	"strings"

	"github.com/docker/go-units"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/spec"
)

// cpuPeriod is the CFS period --cpus is expressed in (docker's 100ms).
const cpuPeriod = 100000

// resources sets the cgroup limits: pids (2048 unless --pids-limit), memory
// and swap, CPU quota and shares, and the device cgroup (deny everything;
// runc then allows its standard devices, /dev/null and friends, itself).
func resources(g *specs.Spec, s *spec.ContainerSpec, host *Host) error {
	r := g.Linux.Resources
	if s.Privileged {
		r.Devices = []specs.LinuxDeviceCgroup{{Allow: true, Access: "rwm"}}
	} else {
		r.Devices = []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}}
	}

	limit := host.PidsLimit
	if limit == 0 {
		limit = DefaultPidsLimit
	}
	if s.PidsLimit != nil {
		limit = *s.PidsLimit
		if limit < -1 {
			return invalid("--pids-limit %d: must be -1 (unlimited), 0 (unlimited) or positive", limit)
		}
	}
	if limit > 0 {
		r.Pids = &specs.LinuxPids{Limit: &limit}
	}

	var mem, swap int64
	if s.Memory != "" {
		n, err := units.RAMInBytes(s.Memory)
		if err != nil || n <= 0 {
			return invalid("--memory %q: must be a positive size such as 512m", s.Memory)
		}
		if n < 6<<20 {
			return invalid("--memory %q: minimum memory limit is 6MB", s.Memory)
		}
		mem = n
	}
	if s.MemorySwap != "" && (mem > 0 || s.MemorySwap != "-1") {
		// -1 alone is no limit on no limit: podman and docker accept it.
		if mem == 0 {
			return invalid("--memory-swap %q: needs --memory as well", s.MemorySwap)
		}
		if s.MemorySwap == "-1" {
			swap = -1
		} else {
			n, err := units.RAMInBytes(s.MemorySwap)
			if err != nil || n <= 0 {
				return invalid("--memory-swap %q: must be -1 or a positive size such as 1g", s.MemorySwap)
			}
			if n < mem {
				return invalid("--memory-swap %q: must be at least --memory %q (it is memory plus swap)", s.MemorySwap, s.Memory)
			}
			swap = n
		}
	} else if mem > 0 {
		// docker: the same amount of swap as memory.
		swap = 2 * mem
	}
	if mem > 0 {
		r.Memory = &specs.LinuxMemory{Limit: &mem}
		switch {
		case !host.NoSwapLimit:
			r.Memory.Swap = &swap
		case swap != -1:
			// podman's words; unlimited swap needs no accounting.
			host.warn("Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.")
		}
	}

	if s.CPUs != "" {
		quota, err := cpuQuota(s.CPUs, host.numCPU())
		if err != nil {
			return err
		}
		if quota > 0 {
			period := uint64(cpuPeriod)
			r.CPU = &specs.LinuxCPU{Quota: &quota, Period: &period}
		}
	}
	if s.CPUShares > 0 {
		if s.CPUShares < 2 || s.CPUShares > 262144 {
			return invalid("--cpu-shares %d: must be between 2 and 262144", s.CPUShares)
		}
		if r.CPU == nil {
			r.CPU = &specs.LinuxCPU{}
		}
		shares := s.CPUShares
		r.CPU.Shares = &shares
	}
	return nil
}

// cpuQuota turns --cpus into a CFS quota per cpuPeriod; 0 means no
// limit (docker and podman). The range is docker's, checked before any
// arithmetic so that huge values cannot overflow the quota.
func cpuQuota(v string, ncpu int) (int64, error) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, invalid("--cpus %q: must be a number of CPUs such as 1.5", v)
	}
	if f == 0 {
		return 0, nil
	}
	if f < 0.01 || f > float64(ncpu) {
		return 0, invalid("--cpus %q: range of CPUs is from 0.01 to %d.00, as there are only %d CPUs available", v, ncpu, ncpu)
	}
	return int64(math.Round(f * cpuPeriod)), nil
}

// ulimitNames maps docker's --ulimit names to rlimit types.
var ulimitNames = map[string]string{
	"as": "RLIMIT_AS", "core": "RLIMIT_CORE", "cpu": "RLIMIT_CPU",
	"data": "RLIMIT_DATA", "fsize": "RLIMIT_FSIZE", "locks": "RLIMIT_LOCKS",
	"memlock": "RLIMIT_MEMLOCK", "msgqueue": "RLIMIT_MSGQUEUE",
	"nice": "RLIMIT_NICE", "nofile": "RLIMIT_NOFILE", "nproc": "RLIMIT_NPROC",
	"rss": "RLIMIT_RSS", "rtprio": "RLIMIT_RTPRIO", "rttime": "RLIMIT_RTTIME",
	"sigpending": "RLIMIT_SIGPENDING", "stack": "RLIMIT_STACK",
}

// rlimitNums maps rlimit types to getrlimit resource numbers.
var rlimitNums = map[string]int{
	"RLIMIT_CPU": 0, "RLIMIT_FSIZE": 1, "RLIMIT_DATA": 2, "RLIMIT_STACK": 3,
	"RLIMIT_CORE": 4, "RLIMIT_RSS": 5, "RLIMIT_NPROC": 6, "RLIMIT_NOFILE": 7,
	"RLIMIT_MEMLOCK": 8, "RLIMIT_AS": 9, "RLIMIT_LOCKS": 10,
	"RLIMIT_SIGPENDING": 11, "RLIMIT_MSGQUEUE": 12, "RLIMIT_NICE": 13,
	"RLIMIT_RTPRIO": 14, "RLIMIT_RTTIME": 15,
}

// Default rlimits (podman's), clamped to the host's hard limits.
const (
	defaultNofile = 1048576
	defaultNproc  = 4194304
)

// parseUlimitValue reads one side of --ulimit: a number, or -1/unlimited.
func parseUlimitValue(v string) (uint64, bool) {
	if v == "-1" || v == "unlimited" {
		return math.MaxUint64, true
	}
	n, err := strconv.ParseUint(v, 10, 64)
	return n, err == nil
}

// ParseUlimit parses "name=soft[:hard]" (hard defaults to soft) into an
// OCI rlimit.
func ParseUlimit(u string) (specs.POSIXRlimit, error) {
	name, val, ok := strings.Cut(u, "=")
	typ, known := ulimitNames[name]
	if !ok || !known {
		return specs.POSIXRlimit{}, invalid("--ulimit %q: must be NAME=SOFT[:HARD] with NAME one of core, cpu, data, fsize, locks, memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack", u)
	}
	softS, hardS, hasHard := strings.Cut(val, ":")
	soft, ok1 := parseUlimitValue(softS)
	hard := soft
	ok2 := true
	if hasHard {
		hard, ok2 = parseUlimitValue(hardS)
	}
	if !ok1 || !ok2 {
		return specs.POSIXRlimit{}, invalid("--ulimit %q: limits must be numbers, -1 or unlimited", u)
	}
	if soft > hard {
		return specs.POSIXRlimit{}, invalid("--ulimit %q: soft limit %s is above the hard limit %s", u, softS, hardS)
	}
	return specs.POSIXRlimit{Type: typ, Soft: soft, Hard: hard}, nil
}

// rlimits sets RLIMIT_NOFILE and RLIMIT_NPROC defaults no higher than the
// host's hard limits, then the --ulimit values; a hard limit above the
// host's is refused here, because without CAP_SYS_RESOURCE the runtime
// could not raise it and the start would fail obscurely.
func rlimits(g *specs.Spec, s *spec.ContainerSpec, host *Host) error {
	set := func(rl specs.POSIXRlimit) {
		for i := range g.Process.Rlimits {
			if g.Process.Rlimits[i].Type == rl.Type {
				g.Process.Rlimits[i] = rl
				return
			}
		}
		g.Process.Rlimits = append(g.Process.Rlimits, rl)
	}
	for _, d := range []struct {
		typ string
		max uint64
	}{{"RLIMIT_NOFILE", defaultNofile}, {"RLIMIT_NPROC", defaultNproc}} {
		v := d.max
		if hard, err := host.hardRlimit(rlimitNums[d.typ]); err == nil && hard < v {
			v = hard
		}
		set(specs.POSIXRlimit{Type: d.typ, Soft: v, Hard: v})
	}
	for _, u := range s.Ulimits {
		rl, err := ParseUlimit(u)
		if err != nil {
			return err
		}
		hard, err := host.hardRlimit(rlimitNums[rl.Type])
		if err == nil && rl.Hard > hard {
			name, _, _ := strings.Cut(u, "=")
			return invalid("ulimit %s: hard limit %s exceeds the host's hard limit %s", name, limitString(rl.Hard), limitString(hard))
		}
		set(rl)
	}
	return nil
}

func limitString(v uint64) string {
	if v == math.MaxUint64 {
		return "unlimited"
	}
	return strconv.FormatUint(v, 10)
}

// namespacedSysctls are the sysctls that belong to the container's own IPC
// namespace (docker's list); net.* belongs to its network namespace.
var namespacedSysctls = map[string]bool{
	"kernel.msgmax": true, "kernel.msgmnb": true, "kernel.msgmni": true,
	"kernel.sem": true, "kernel.shmall": true, "kernel.shmmax": true,
	"kernel.shmmni": true, "kernel.shm_rmid_forced": true,
}

// sysctls applies --sysctl KEY=VALUE for namespaced keys only, as docker
// does: anything else would change the host.
func sysctls(g *specs.Spec, s *spec.ContainerSpec) error {
	mode, _, err := NetworkMode(s.Network)
	if err != nil {
		return err
	}
	for _, kv := range s.Sysctls {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return invalid("--sysctl %q: must be KEY=VALUE", kv)
		}
		k = strings.ReplaceAll(k, "/", ".")
		switch {
		case namespacedSysctls[k], strings.HasPrefix(k, "fs.mqueue."):
		case strings.HasPrefix(k, "net."):
			if mode == "host" {
				return invalid("--sysctl %q: net.* sysctls cannot be set with --network host", kv)
			}
		default:
			return invalid("--sysctl %q: not a namespaced sysctl, it would change the host", kv)
		}
		if g.Linux.Sysctl == nil {
			g.Linux.Sysctl = map[string]string{}
		}
		g.Linux.Sysctl[k] = v
	}
	return nil
}
