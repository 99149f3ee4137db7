package engine

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// cpuCgroupV1 is cgroup v1's cpu controller, where real-time group
// scheduling has its cpu.rt_period_us and cpu.rt_runtime_us files.
var cpuCgroupV1 = "/sys/fs/cgroup/cpu"

// prepareRTBudgetLocked gives the parents of a container with
// --cpu-rt-runtime a real-time budget to hand down. A new cgroup starts
// with none (cpu.rt_runtime_us 0), and the kernel refuses a child more
// than its parent has, so without this runc's write fails. As docker's
// daemon does for its parent cgroup, each parent gets what its children
// hold plus what the container asks for (budgets are never taken back,
// as in docker). Only cgroupfs paths on cgroup v1 have these files.
//
// Preconditions: c.lock is held.
func (c *Container) prepareRTBudgetLocked(spec *specs.Spec) error {
	if spec.Linux == nil || spec.Linux.Resources == nil || spec.Linux.Resources.CPU == nil {
		return nil
	}
	rt := spec.Linux.Resources.CPU.RealtimeRuntime
	cgPath := spec.Linux.CgroupsPath
	if rt == nil || *rt <= 0 || !strings.HasPrefix(cgPath, "/") {
		return nil
	}
	if _, err := os.Stat(filepath.Join(cpuCgroupV1, "cpu.rt_runtime_us")); err != nil {
		return nil
	}
	// The parents, top-down, and the budget each must have: what its
	// other children hold plus what the next one down needs.
	dirs := []string{}
	cur := cpuCgroupV1
	for _, comp := range strings.Split(strings.Trim(filepath.Dir(cgPath), "/"), "/") {
		if comp != "" {
			cur = filepath.Join(cur, comp)
			dirs = append(dirs, cur)
		}
	}
	// The kernel compares bandwidths (runtime/period), not runtimes.
	period := int64(1000000)
	if p := spec.Linux.Resources.CPU.RealtimePeriod; p != nil && *p > 0 {
		period = int64(*p)
	}
	want := make([]int64, len(dirs))
	need, skip := float64(*rt)/float64(period), ""
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := os.MkdirAll(dirs[i], 0o755); err != nil {
			return err
		}
		p := rtValue(dirs[i], "cpu.rt_period_us")
		if p <= 0 {
			p = 1000000
		}
		want[i] = int64(math.Ceil((need + childrenRTBandwidth(dirs[i], skip)) * float64(p)))
		need = float64(want[i]) / float64(p)
		if have := rtValue(dirs[i], "cpu.rt_runtime_us"); have > want[i] {
			need = float64(have) / float64(p)
		}
		skip = dirs[i]
	}
	for i, dir := range dirs {
		if have := rtValue(dir, "cpu.rt_runtime_us"); have < 0 || have >= want[i] {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, "cpu.rt_runtime_us"), []byte(strconv.FormatInt(want[i], 10)), 0o644); err != nil {
			return fmt.Errorf("container %s: --cpu-rt-runtime %d: the parent cgroup %s cannot get a real-time budget of %d (%v): %w",
				c.config.Name, *rt, dir, want[i], errors.Unwrap(err), define.ErrInvalidArg)
		}
	}
	return nil
}

// childrenRTBandwidth sums the real-time bandwidths of dir's child
// cgroups other than skip.
func childrenRTBandwidth(dir, skip string) float64 {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	var sum float64
	for _, e := range ents {
		child := filepath.Join(dir, e.Name())
		if !e.IsDir() || child == skip {
			continue
		}
		if v, p := rtValue(child, "cpu.rt_runtime_us"), rtValue(child, "cpu.rt_period_us"); v > 0 && p > 0 {
			sum += float64(v) / float64(p)
		}
	}
	return sum
}

// rtValue reads one of a cgroup's cpu.rt_* numbers (0 when unreadable;
// -1 is an unlimited runtime).
func rtValue(dir, file string) int64 {
	data, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		return 0
	}
	v, _ := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	return v
}
