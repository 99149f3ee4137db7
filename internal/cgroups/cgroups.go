// Package cgroups reads a process's control group: the processes in it and
// its resource counters, on cgroup v1 (one hierarchy per controller) and
// v2 (one unified hierarchy), for `top` and `stats`.
//
// The cgroup is found from /proc/PID/cgroup rather than rebuilt from the
// container's configuration, so the cgroupfs and systemd managers and any
// --cgroup-parent are handled alike.
package cgroups

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Root is where the cgroup hierarchies are mounted.
const Root = "/sys/fs/cgroup"

// Cgroup is the set of directories of one process's cgroup.
type Cgroup struct {
	// V2 is true on a pure cgroup v2 host.
	V2 bool
	// dirs maps a v1 controller name to its directory; on v2 the key ""
	// holds the unified directory.
	dirs map[string]string
}

// ForPID returns the cgroup of process pid.
func ForPID(pid int) (*Cgroup, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		return nil, err
	}
	return parse(data, isV2())
}

func isV2() bool {
	_, err := os.Stat(filepath.Join(Root, "cgroup.controllers"))
	return err == nil
}

// parse reads /proc/PID/cgroup lines "ID:controllers:path".
func parse(data []byte, v2 bool) (*Cgroup, error) {
	cg := &Cgroup{V2: v2, dirs: map[string]string{}}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if v2 {
			if parts[0] == "0" && parts[1] == "" {
				cg.dirs[""] = filepath.Join(Root, parts[2])
			}
			continue
		}
		for _, ctrl := range strings.Split(parts[1], ",") {
			if ctrl == "" {
				continue
			}
			// "cpu,cpuacct" is mounted under that joint name; the
			// single names are usually symlinks to it.
			dir := filepath.Join(Root, parts[1], parts[2])
			if _, err := os.Stat(dir); err != nil {
				dir = filepath.Join(Root, ctrl, parts[2])
			}
			cg.dirs[strings.TrimPrefix(ctrl, "name=")] = dir
		}
	}
	if len(cg.dirs) == 0 {
		return nil, errors.New("no cgroup found for the process")
	}
	return cg, nil
}

// dir returns the directory holding a controller's files.
func (cg *Cgroup) dir(ctrl string) string {
	if cg.V2 {
		return cg.dirs[""]
	}
	return cg.dirs[ctrl]
}

// Procs lists the PIDs in the cgroup (the pids controller on v1: every
// container gets one, as its pids limit lives there).
func (cg *Cgroup) Procs() ([]int, error) {
	dir := cg.dir("pids")
	if dir == "" {
		dir = cg.dir("memory")
	}
	if dir == "" {
		return nil, errors.New("no pids or memory cgroup for the process")
	}
	data, err := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, f := range strings.Fields(string(data)) {
		if n, err := strconv.Atoi(f); err == nil {
			pids = append(pids, n)
		}
	}
	return pids, nil
}

// Stats are the counters `stats` shows.
type Stats struct {
	// CPUNano is the CPU time used, in nanoseconds.
	CPUNano uint64
	// MemUsage excludes the inactive page cache, as docker and podman
	// report it; MemLimit is 0 when unlimited.
	MemUsage, MemLimit uint64
	PIDs               uint64
	BlockRead          uint64
	BlockWrite         uint64
}

// unlimited is any limit at or above this (v1 reports 2^63 rounded down
// to the page size; v2 says "max").
const unlimited = uint64(1) << 62

// Stats reads the counters.
func (cg *Cgroup) Stats() (Stats, error) {
	if cg.V2 {
		return cg.statsV2()
	}
	var s Stats
	var err error
	if s.CPUNano, err = readUint(cg.dir("cpuacct"), "cpuacct.usage"); err != nil {
		return s, err
	}
	mem := cg.dir("memory")
	if s.MemUsage, err = readUint(mem, "memory.usage_in_bytes"); err != nil {
		return s, err
	}
	if kv, err := readKV(mem, "memory.stat"); err == nil {
		s.MemUsage = sub(s.MemUsage, kv["total_inactive_file"])
	}
	if s.MemLimit, err = readUint(mem, "memory.limit_in_bytes"); err == nil && s.MemLimit >= unlimited {
		s.MemLimit = 0
	}
	s.PIDs, _ = readUint(cg.dir("pids"), "pids.current")
	if data, err := os.ReadFile(filepath.Join(cg.dir("blkio"), "blkio.throttle.io_service_bytes_recursive")); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			f := strings.Fields(line)
			if len(f) != 3 {
				continue
			}
			n, _ := strconv.ParseUint(f[2], 10, 64)
			switch f[1] {
			case "Read":
				s.BlockRead += n
			case "Write":
				s.BlockWrite += n
			}
		}
	}
	return s, nil
}

func (cg *Cgroup) statsV2() (Stats, error) {
	var s Stats
	dir := cg.dir("")
	kv, err := readKV(dir, "cpu.stat")
	if err != nil {
		return s, err
	}
	s.CPUNano = kv["usage_usec"] * 1000
	if s.MemUsage, err = readUint(dir, "memory.current"); err != nil {
		return s, err
	}
	if mkv, err := readKV(dir, "memory.stat"); err == nil {
		s.MemUsage = sub(s.MemUsage, mkv["inactive_file"])
	}
	if s.MemLimit, err = readUint(dir, "memory.max"); err != nil || s.MemLimit >= unlimited {
		s.MemLimit = 0
	}
	s.PIDs, _ = readUint(dir, "pids.current")
	if data, err := os.ReadFile(filepath.Join(dir, "io.stat")); err == nil {
		for _, f := range strings.Fields(string(data)) {
			k, v, _ := strings.Cut(f, "=")
			n, _ := strconv.ParseUint(v, 10, 64)
			switch k {
			case "rbytes":
				s.BlockRead += n
			case "wbytes":
				s.BlockWrite += n
			}
		}
	}
	return s, nil
}

func sub(a, b uint64) uint64 {
	if b > a {
		return 0
	}
	return a - b
}

// readUint reads a file holding one number ("max" reads as unlimited).
func readUint(dir, file string) (uint64, error) {
	if dir == "" {
		return 0, fmt.Errorf("%s: controller not mounted", file)
	}
	data, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		return 0, err
	}
	s := strings.TrimSpace(string(data))
	if s == "max" {
		return ^uint64(0), nil
	}
	return strconv.ParseUint(s, 10, 64)
}

// readKV reads a "key value" per line file (memory.stat, cpu.stat).
func readKV(dir, file string) (map[string]uint64, error) {
	if dir == "" {
		return nil, fmt.Errorf("%s: controller not mounted", file)
	}
	data, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		return nil, err
	}
	out := map[string]uint64{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 {
			out[f[0]], _ = strconv.ParseUint(f[1], 10, 64)
		}
	}
	return out, nil
}

// NetDev sums the received and transmitted bytes of every interface but
// the loopback in the network namespace of pid.
func NetDev(pid int) (rx, tx uint64, err error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/dev", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		name, rest, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(name) == "lo" {
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 9 {
			continue
		}
		r, _ := strconv.ParseUint(f[0], 10, 64)
		t, _ := strconv.ParseUint(f[8], 10, 64)
		rx += r
		tx += t
	}
	return rx, tx, nil
}
