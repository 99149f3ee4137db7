package engine

import (
	"bufio"
	"context"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/cgroups"
)

// ContainerStats is one sample of a container's resource use. A container
// that is not running has only its identity and zero counters.
type ContainerStats struct {
	ID, Name string
	Running  bool
	// Time is when the sample was taken; StartedAt when the container's
	// process started (for the average CPU use).
	Time, StartedAt time.Time
	// CPUNano is the CPU time used by all processes, in nanoseconds.
	CPUNano uint64
	// MemUsage is the memory in use without inactive page cache;
	// MemLimit is the cgroup limit, or the host's memory if unlimited.
	MemUsage, MemLimit    uint64
	NetRx, NetTx          uint64
	BlockRead, BlockWrite uint64
	PIDs                  uint64
}

// Stats samples the container's cgroup counters and the network
// interfaces of its network namespace.
func (c *Container) Stats(ctx context.Context) (ContainerStats, error) {
	s := ContainerStats{ID: c.config.ID, Name: c.config.Name, Time: time.Now()}
	if err := c.runtime.CheckCgroups("stats"); err != nil {
		return s, err
	}
	if err := c.lockSync(); err != nil {
		return s, err
	}
	pid, pidStart, started := c.state.PID, c.state.PIDStart, c.state.StartedTime
	running := (c.state.Status == define.StatusRunning || c.state.Status == define.StatusPaused) && pid > 0
	c.lock.Unlock()
	if !running || !pidAlive(pid, pidStart) {
		return s, nil
	}
	cg, err := cgroups.ForPID(pid)
	if err != nil {
		return s, err
	}
	cs, err := cg.Stats()
	if err != nil {
		return s, err
	}
	s.Running, s.StartedAt = true, started
	s.CPUNano, s.MemUsage, s.MemLimit, s.PIDs = cs.CPUNano, cs.MemUsage, cs.MemLimit, cs.PIDs
	s.BlockRead, s.BlockWrite = cs.BlockRead, cs.BlockWrite
	if host := hostMemory(); s.MemLimit == 0 || (host > 0 && s.MemLimit > host) {
		s.MemLimit = host
	}
	// A container sharing the host's network has no traffic of its own.
	if c.config.NetMode != "host" {
		s.NetRx, s.NetTx, _ = cgroups.NetDev(pid)
	}
	return s, nil
}

// hostMemory is MemTotal of /proc/meminfo in bytes.
func hostMemory() uint64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			n, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n * 1024
		}
	}
	return 0
}
