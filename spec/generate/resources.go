package generate

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"golang.org/x/sys/unix"

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

	mem, swap, err := memoryLimits(s.Memory, s.MemorySwap)
	if err != nil {
		return err
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

	quota, err := cpuQuota(s.NanoCPUs, host.numCPU())
	if err != nil {
		return err
	}
	if quota > 0 {
		period := uint64(cpuPeriod)
		r.CPU = &specs.LinuxCPU{Quota: &quota, Period: &period}
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
	if err := moreMemory(r, s); err != nil {
		return err
	}
	if err := cpuRealtime(r, s, host); err != nil {
		return err
	}
	if err := moreCPU(r, s, host.numCPU()); err != nil {
		return err
	}
	if err := blockIO(r, s, host); err != nil {
		return err
	}
	if s.OOMScoreAdj != nil {
		if *s.OOMScoreAdj < -1000 || *s.OOMScoreAdj > 1000 {
			return invalid("--oom-score-adj %d: must be between -1000 and 1000", *s.OOMScoreAdj)
		}
		adj := *s.OOMScoreAdj
		g.Process.OOMScoreAdj = &adj
	}
	return nil
}

// moreMemory sets the soft limit, swappiness and OOM killer switch.
func moreMemory(r *specs.LinuxResources, s *spec.ContainerSpec) error {
	mem := func() *specs.LinuxMemory {
		if r.Memory == nil {
			r.Memory = &specs.LinuxMemory{}
		}
		return r.Memory
	}
	if res := s.MemoryReservation; res != 0 {
		switch {
		case res < 0:
			return invalid("--memory-reservation %d: must be a positive size", res)
		case res < minMemory:
			return invalid("--memory-reservation %d: minimum memory reservation allowed is 6MB", res)
		case s.Memory > 0 && res > s.Memory:
			// docker's words.
			return invalid("--memory-reservation %d: minimum memory limit can not be less than memory reservation limit", res)
		}
		mem().Reservation = &res
	}
	if sw := s.MemorySwappiness; sw != nil {
		if *sw < 0 || *sw > 100 {
			return invalid("--memory-swappiness %d: valid memory swappiness range is 0-100", *sw)
		}
		v := uint64(*sw)
		mem().Swappiness = &v
	}
	if s.OOMKillDisable {
		t := true
		mem().DisableOOMKiller = &t
	}
	return nil
}

// moreCPU sets the explicit CFS period and quota (docker's ranges; they
// are the long form of --cpus, so they cannot come with it) and the
// cpusets.
func moreCPU(r *specs.LinuxResources, s *spec.ContainerSpec, ncpu int) error {
	cpu := func() *specs.LinuxCPU {
		if r.CPU == nil {
			r.CPU = &specs.LinuxCPU{}
		}
		return r.CPU
	}
	if s.NanoCPUs != 0 && s.CPUPeriod != 0 {
		return invalid("--cpu-period and --cpus cannot be set together")
	}
	if s.NanoCPUs != 0 && s.CPUQuota != 0 {
		return invalid("--cpu-quota and --cpus cannot be set together")
	}
	if p := s.CPUPeriod; p != 0 {
		if p < 1000 || p > 1000000 {
			return invalid("--cpu-period %d: CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1 second (i.e. 1000000)", p)
		}
		cpu().Period = &p
	}
	if q := s.CPUQuota; q != 0 {
		if q != -1 && q < 1000 {
			return invalid("--cpu-quota %d: CPU cfs quota can not be less than 1ms (i.e. 1000)", q)
		}
		cpu().Quota = &q
	}
	if v := s.CpusetCPUs; v != "" {
		top, err := cpusetMax(v)
		if err != nil {
			return invalid("--cpuset-cpus %q: %v", v, err)
		}
		if top >= ncpu {
			return invalid("--cpuset-cpus %q: requested CPUs are not available, there are only %d (0-%d)", v, ncpu, ncpu-1)
		}
		cpu().Cpus = v
	}
	if v := s.CpusetMems; v != "" {
		if _, err := cpusetMax(v); err != nil {
			return invalid("--cpuset-mems %q: %v", v, err)
		}
		cpu().Mems = v
	}
	return nil
}

// cpusetMax checks a cpuset list ("0-2,4") and returns its highest number.
func cpusetMax(v string) (int, error) {
	top := -1
	num := func(s string) (int, error) {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || s != strconv.Itoa(n) {
			return 0, fmt.Errorf("must be a list of numbers and ranges such as 0-2,4")
		}
		return n, nil
	}
	for _, part := range strings.Split(v, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := num(lo)
		if err != nil {
			return 0, err
		}
		b := a
		if isRange {
			if b, err = num(hi); err != nil {
				return 0, err
			}
			if b < a {
				return 0, fmt.Errorf("range %s is backwards", part)
			}
		}
		if b > top {
			top = b
		}
	}
	return top, nil
}

// minMemory is the smallest memory limit docker and podman accept.
const minMemory = 6 << 20

// memoryLimits checks the memory limit and the memory-plus-swap limit
// (0: twice the memory, as docker does; -1: unlimited swap) and returns
// both as the cgroup takes them.
func memoryLimits(mem, swap int64) (int64, int64, error) {
	switch {
	case mem < 0:
		return 0, 0, invalid("memory limit %d: must be positive", mem)
	case mem > 0 && mem < minMemory:
		return 0, 0, invalid("memory limit %d: minimum memory limit is 6MB", mem)
	case mem == 0 && swap != 0 && swap != -1:
		return 0, 0, invalid("memory swap limit %d: needs a memory limit as well", swap)
	case mem == 0:
		// -1 alone is no limit on no limit: podman and docker accept it.
		return 0, 0, nil
	case swap == 0:
		return mem, 2 * mem, nil
	case swap < -1:
		return 0, 0, invalid("memory swap limit %d: must be -1 or positive", swap)
	case swap != -1 && swap < mem:
		return 0, 0, invalid("memory swap limit %d: must be at least the memory limit %d (it is memory plus swap)", swap, mem)
	}
	return mem, swap, nil
}

// cpuQuota turns a CPU limit in billionths of a CPU into a CFS quota per
// cpuPeriod; 0 means no limit (docker and podman). The range is
// docker's: 0.01 to the host's CPUs.
func cpuQuota(nano int64, ncpu int) (int64, error) {
	if nano == 0 {
		return 0, nil
	}
	if nano < 1e7 || nano > int64(ncpu)*1e9 {
		return 0, invalid("CPU limit %s: range of CPUs is from 0.01 to %d.00, as there are only %d CPUs available",
			strconv.FormatFloat(float64(nano)/1e9, 'f', -1, 64), ncpu, ncpu)
	}
	return (nano*cpuPeriod + 5e8) / 1e9, nil
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

// rlimit turns a typed ulimit into an OCI rlimit (-1 is unlimited).
func rlimit(u spec.Ulimit) (specs.POSIXRlimit, error) {
	typ, known := ulimitNames[u.Name]
	if !known {
		return specs.POSIXRlimit{}, invalid("ulimit %q: unknown name, must be one of core, cpu, data, fsize, locks, memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack", u.Name)
	}
	value := func(v int64) (uint64, bool) {
		if v == -1 {
			return math.MaxUint64, true
		}
		return uint64(v), v >= 0
	}
	soft, ok1 := value(u.Soft)
	hard, ok2 := value(u.Hard)
	if !ok1 || !ok2 {
		return specs.POSIXRlimit{}, invalid("ulimit %s: limits must be numbers or -1 (unlimited)", u.Name)
	}
	if soft > hard {
		return specs.POSIXRlimit{}, invalid("ulimit %s: soft limit %s is above the hard limit %s", u.Name, limitString(soft), limitString(hard))
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
		rl, err := rlimit(u)
		if err != nil {
			return err
		}
		hard, err := host.hardRlimit(rlimitNums[rl.Type])
		if err == nil && rl.Hard > hard {
			return invalid("ulimit %s: hard limit %s exceeds the host's hard limit %s", u.Name, limitString(rl.Hard), limitString(hard))
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

// sysctls applies the sysctls for namespaced keys only, as docker does:
// anything else would change the host.
func sysctls(g *specs.Spec, s *spec.ContainerSpec) error {
	mode, _, err := NetworkMode(s.Network)
	if err != nil {
		return err
	}
	keys := make([]string, 0, len(s.Sysctls))
	for k := range s.Sysctls {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		v := s.Sysctls[key]
		kv := key + "=" + v
		k := strings.ReplaceAll(key, "/", ".")
		switch {
		case k == "":
			return invalid("sysctl %q: empty key", kv)
		case namespacedSysctls[k], strings.HasPrefix(k, "fs.mqueue."):
		case strings.HasPrefix(k, "net."):
			if mode == "host" {
				return invalid("sysctl %q: net.* sysctls cannot be set with --network host", kv)
			}
		default:
			return invalid("sysctl %q: not a namespaced sysctl, it would change the host", kv)
		}
		if g.Linux.Sysctl == nil {
			g.Linux.Sysctl = map[string]string{}
		}
		g.Linux.Sysctl[k] = v
	}
	return nil
}

// blockIO sets the block IO weights and per-device throttles. Weights
// need the CFQ/BFQ scheduler's blkio.weight: where the host lacks it they
// are dropped with podman's warning rather than failing at start.
func blockIO(r *specs.LinuxResources, s *spec.ContainerSpec, host *Host) error {
	bio := &specs.LinuxBlockIO{}
	set := false
	if w := s.BlkioWeight; w != 0 {
		if w < 10 || w > 1000 {
			return invalid("--blkio-weight %d: range of blkio weight is from 10 to 1000", w)
		}
		if host.NoBlkioWeight {
			host.warn("Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.")
		} else {
			bio.Weight, set = &w, true
		}
	}
	for _, d := range s.BlkioWeightDevice {
		if d.Weight < 10 || d.Weight > 1000 {
			return invalid("--blkio-weight-device %s:%d: range of blkio weight is from 10 to 1000", d.Path, d.Weight)
		}
		major, minor, err := blockDevice("blkio-weight-device", d.Path)
		if err != nil {
			return err
		}
		if host.NoBlkioWeight {
			host.warn("Your kernel does not support Block I/O weight_device or the cgroup is not mounted. Weight-device discarded.")
			continue
		}
		wd := specs.LinuxWeightDevice{Weight: &d.Weight}
		wd.Major, wd.Minor = major, minor
		bio.WeightDevice, set = append(bio.WeightDevice, wd), true
	}
	for _, t := range []struct {
		flag string
		in   []spec.ThrottleDevice
		out  *[]specs.LinuxThrottleDevice
	}{
		{"device-read-bps", s.DeviceReadBps, &bio.ThrottleReadBpsDevice},
		{"device-write-bps", s.DeviceWriteBps, &bio.ThrottleWriteBpsDevice},
		{"device-read-iops", s.DeviceReadIOps, &bio.ThrottleReadIOPSDevice},
		{"device-write-iops", s.DeviceWriteIOps, &bio.ThrottleWriteIOPSDevice},
	} {
		for _, d := range t.in {
			if d.Rate == 0 {
				return invalid("--%s %s: the rate must be positive", t.flag, d.Path)
			}
			major, minor, err := blockDevice(t.flag, d.Path)
			if err != nil {
				return err
			}
			td := specs.LinuxThrottleDevice{Rate: d.Rate}
			td.Major, td.Minor = major, minor
			*t.out, set = append(*t.out, td), true
		}
	}
	if set {
		r.BlockIO = bio
	}
	return nil
}

// blockDevice is the major and minor number of a host block device.
func blockDevice(flag, path string) (int64, int64, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return 0, 0, invalid("--%s %s: %v", flag, path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFBLK {
		return 0, 0, invalid("--%s %s: not a block device", flag, path)
	}
	return int64(unix.Major(st.Rdev)), int64(unix.Minor(st.Rdev)), nil
}

// cpuRealtime applies --cpu-rt-period and --cpu-rt-runtime: cgroup v1's
// real-time group scheduling. cgroup v2 has no such files, so they are
// dropped with podman's warnings there; a v1 kernel without
// CONFIG_RT_GROUP_SCHED refuses them.
func cpuRealtime(r *specs.LinuxResources, s *spec.ContainerSpec, host *Host) error {
	cpu := func() *specs.LinuxCPU {
		if r.CPU == nil {
			r.CPU = &specs.LinuxCPU{}
		}
		return r.CPU
	}
	if s.CPURtPeriod == 0 && s.CPURtRuntime == 0 {
		return nil
	}
	if s.CPURtRuntime < -1 {
		return invalid("--cpu-rt-runtime %d: must be -1 (unlimited) or a number of microseconds", s.CPURtRuntime)
	}
	if s.CPURtPeriod != 0 && s.CPURtRuntime > 0 && uint64(s.CPURtRuntime) > s.CPURtPeriod {
		return invalid("--cpu-rt-runtime %d: cannot be larger than --cpu-rt-period %d", s.CPURtRuntime, s.CPURtPeriod)
	}
	if host.CgroupV2 {
		if s.CPURtPeriod != 0 {
			host.warn("Realtime period not supported on cgroups V2 systems")
		}
		if s.CPURtRuntime != 0 {
			host.warn("Realtime runtime not supported on cgroups V2 systems")
		}
		return nil
	}
	if host.NoCPURt {
		return invalid("--cpu-rt-period/--cpu-rt-runtime: the kernel has no real-time group scheduling (CONFIG_RT_GROUP_SCHED; no cpu.rt_runtime_us in the cpu cgroup)")
	}
	if p := s.CPURtPeriod; p != 0 {
		cpu().RealtimePeriod = &p
	}
	if r := s.CPURtRuntime; r != 0 {
		cpu().RealtimeRuntime = &r
	}
	return nil
}
