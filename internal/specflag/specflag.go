// Package specflag parses the value strings of create, run and pod create
// flags (and the docker API's "src:dst:opts" Binds, which share -v's form)
// into the typed fields of spec. Its errors name the flag and the value as
// typed; what does not depend on how a value was written (a bind source
// that does not exist, a volume name, a limit above the host's) is checked
// later by spec/generate, for the API as well.
package specflag

import (
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"github.com/docker/go-units"

	"github.com/berth-dev/berth/internal/errdefs"
	"github.com/berth-dev/berth/internal/signals"
	"github.com/berth-dev/berth/spec"
)

// invalid builds a bad-input error naming the flag and the value.
func invalid(format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, errdefs.ErrInvalidArgument)...)
}

// Signal parses --stop-signal: a name or a number.
func Signal(v string) (syscall.Signal, error) {
	sig, err := signals.Parse(v)
	if err != nil {
		return 0, fmt.Errorf("--stop-signal: %w", err)
	}
	return sig, nil
}

// Restart parses --restart: "no", "always", "unless-stopped",
// "on-failure" or "on-failure:N". An empty string is "no".
func Restart(s string) (spec.RestartPolicy, error) {
	policy, max, hasMax := strings.Cut(s, ":")
	switch policy {
	case "":
		if hasMax {
			break
		}
		return spec.RestartPolicy{Name: spec.RestartNo}, nil
	case spec.RestartNo, spec.RestartAlways, spec.RestartUnlessStopped:
		if !hasMax {
			return spec.RestartPolicy{Name: policy}, nil
		}
		return spec.RestartPolicy{}, invalid("--restart %q: retries are only allowed with the on-failure policy", s)
	case spec.RestartOnFailure:
		if !hasMax {
			return spec.RestartPolicy{Name: policy}, nil
		}
		n, err := strconv.ParseUint(max, 10, 31)
		if err != nil {
			return spec.RestartPolicy{}, invalid("--restart %q: retry count must be a non-negative integer", s)
		}
		return spec.RestartPolicy{Name: policy, MaxRetries: uint(n)}, nil
	}
	return spec.RestartPolicy{}, invalid("--restart %q: policy must be one of no, always, on-failure[:N], unless-stopped", s)
}

// ShmSize parses --shm-size: a positive size in docker's units.
func ShmSize(v string) (int64, error) {
	n, err := units.RAMInBytes(v)
	if err != nil || n <= 0 {
		return 0, invalid("--shm-size %q: must be a positive size such as 64m", v)
	}
	return n, nil
}

// MinMemory is the smallest memory limit docker and podman accept.
const MinMemory = 6 << 20

// Memory parses --memory: a positive size of at least 6MB.
func Memory(v string) (int64, error) {
	n, err := units.RAMInBytes(v)
	if err != nil || n <= 0 {
		return 0, invalid("--memory %q: must be a positive size such as 512m", v)
	}
	if n < MinMemory {
		return 0, invalid("--memory %q: minimum memory limit is 6MB", v)
	}
	return n, nil
}

// MemoryReservation parses --memory-reservation: a positive size of at
// least 6MB (docker's minimum); it is checked against --memory later.
func MemoryReservation(v string) (int64, error) {
	n, err := units.RAMInBytes(v)
	if err != nil || n <= 0 {
		return 0, invalid("--memory-reservation %q: must be a positive size such as 256m", v)
	}
	if n < MinMemory {
		return 0, invalid("--memory-reservation %q: minimum memory reservation allowed is 6MB", v)
	}
	return n, nil
}

// MemorySwap parses --memory-swap (memory plus swap) given --memory's
// value as typed (mem, "" if not given) and in bytes (memBytes): -1 for
// unlimited swap, else a size at least memBytes. -1 alone is no limit on
// no limit, which podman and docker accept: it gives 0.
func MemorySwap(v, mem string, memBytes int64) (int64, error) {
	if memBytes == 0 {
		if v == "-1" {
			return 0, nil
		}
		return 0, invalid("--memory-swap %q: needs --memory as well", v)
	}
	if v == "-1" {
		return -1, nil
	}
	n, err := units.RAMInBytes(v)
	if err != nil || n <= 0 {
		return 0, invalid("--memory-swap %q: must be -1 or a positive size such as 1g", v)
	}
	if n < memBytes {
		return 0, invalid("--memory-swap %q: must be at least --memory %q (it is memory plus swap)", v, mem)
	}
	return n, nil
}

// CPUs parses --cpus into billionths of a CPU; 0 means no limit (docker
// and podman). The range is docker's, 0.01 to the CPUs this process may
// run on, checked before any arithmetic so that huge values cannot
// overflow.
func CPUs(v string) (int64, error) {
	return cpus(v, runtime.NumCPU())
}

func cpus(v string, ncpu int) (int64, error) {
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
	return int64(math.Round(f * 1e9)), nil
}

// ulimitNames are docker's --ulimit names.
var ulimitNames = map[string]bool{
	"as": true, "core": true, "cpu": true, "data": true, "fsize": true, "locks": true,
	"memlock": true, "msgqueue": true, "nice": true, "nofile": true, "nproc": true,
	"rss": true, "rtprio": true, "rttime": true, "sigpending": true, "stack": true,
}

// ulimitValue reads one side of --ulimit: a number, or -1/unlimited (-1).
func ulimitValue(v string) (int64, bool) {
	if v == "-1" || v == "unlimited" {
		return -1, true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil && n >= 0
}

// Ulimit parses --ulimit NAME=SOFT[:HARD] (HARD defaults to SOFT).
func Ulimit(u string) (spec.Ulimit, error) {
	name, val, ok := strings.Cut(u, "=")
	if !ok || !ulimitNames[name] {
		return spec.Ulimit{}, invalid("--ulimit %q: must be NAME=SOFT[:HARD] with NAME one of core, cpu, data, fsize, locks, memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack", u)
	}
	softS, hardS, hasHard := strings.Cut(val, ":")
	soft, ok1 := ulimitValue(softS)
	hard := soft
	ok2 := true
	if hasHard {
		hard, ok2 = ulimitValue(hardS)
	}
	if !ok1 || !ok2 {
		return spec.Ulimit{}, invalid("--ulimit %q: limits must be numbers, -1 or unlimited", u)
	}
	if hard != -1 && (soft == -1 || soft > hard) {
		return spec.Ulimit{}, invalid("--ulimit %q: soft limit %s is above the hard limit %s", u, softS, hardS)
	}
	return spec.Ulimit{Name: name, Soft: soft, Hard: hard}, nil
}

// Sysctls parses --sysctl KEY=VALUE values into a map.
func Sysctls(values []string) (map[string]string, error) {
	if len(values) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(values))
	for _, kv := range values {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, invalid("--sysctl %q: must be KEY=VALUE", kv)
		}
		out[k] = v
	}
	return out, nil
}

// Device parses --device HOST[:CONTAINER][:PERMISSIONS].
func Device(d string) (spec.Device, error) {
	parts := strings.Split(d, ":")
	if len(parts) > 3 {
		return spec.Device{}, invalid("--device %q: must be HOST[:CONTAINER[:PERMISSIONS]]", d)
	}
	dev := spec.Device{Source: parts[0]}
	perms := "rwm"
	if len(parts) >= 2 {
		if IsDevicePermissions(parts[1]) && len(parts) == 2 {
			perms = parts[1]
		} else {
			dev.Destination = parts[1]
		}
	}
	if len(parts) == 3 {
		perms = parts[2]
	}
	if !IsDevicePermissions(perms) {
		return spec.Device{}, invalid("--device %q: permissions %q must be a combination of r, w and m", d, perms)
	}
	if !strings.HasPrefix(dev.Source, "/") || (dev.Destination != "" && !strings.HasPrefix(dev.Destination, "/")) {
		return spec.Device{}, invalid("--device %q: paths must be absolute", d)
	}
	if perms != "rwm" {
		dev.Permissions = perms
	}
	return dev, nil
}

// IsDevicePermissions reports whether p is a device cgroup access string:
// one to three of r, w and m.
func IsDevicePermissions(p string) bool {
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

// WeightDevice parses --blkio-weight-device DEVICE:WEIGHT (the range is
// checked with the device in generate).
func WeightDevice(v string) (spec.WeightDevice, error) {
	path, w, ok := strings.Cut(v, ":")
	if !ok || !strings.HasPrefix(path, "/dev/") {
		return spec.WeightDevice{}, invalid("--blkio-weight-device %q: must be DEVICE:WEIGHT such as /dev/sda:500", v)
	}
	n, err := strconv.ParseUint(w, 10, 16)
	if err != nil {
		return spec.WeightDevice{}, invalid("--blkio-weight-device %q: invalid weight for device", v)
	}
	return spec.WeightDevice{Path: path, Weight: uint16(n)}, nil
}

// ThrottleDevice parses a --device-{read,write}-{bps,iops} value,
// DEVICE:RATE; bps rates are sizes (1mb), iops plain numbers.
func ThrottleDevice(flag, v string, bps bool) (spec.ThrottleDevice, error) {
	path, r, ok := strings.Cut(v, ":")
	if !ok || !strings.HasPrefix(path, "/dev/") {
		return spec.ThrottleDevice{}, invalid("--%s %q: must be DEVICE:RATE such as /dev/sda:10mb", flag, v)
	}
	if bps {
		n, err := units.RAMInBytes(r)
		if err != nil || n <= 0 {
			return spec.ThrottleDevice{}, invalid("--%s %q: invalid rate for device, must be a positive size such as 10mb", flag, v)
		}
		return spec.ThrottleDevice{Path: path, Rate: uint64(n)}, nil
	}
	n, err := strconv.ParseUint(r, 10, 64)
	if err != nil || n == 0 {
		return spec.ThrottleDevice{}, invalid("--%s %q: invalid rate for device, must be a positive number of IO operations", flag, v)
	}
	return spec.ThrottleDevice{Path: path, Rate: n}, nil
}
