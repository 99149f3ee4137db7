package cgroups

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Limits are the resource limits of a parent cgroup (a pod's); zero
// fields mean no limit.
type Limits struct {
	Memory    int64  // bytes
	CPUQuota  int64  // microseconds per CPUPeriod
	CPUPeriod uint64 // microseconds
}

// hierarchies returns the mounted cgroup hierarchies: the unified one on
// v2, one directory per v1 controller (and the hybrid layout's unified
// and named ones) otherwise. Symlinked aliases (cpu -> cpu,cpuacct) are
// skipped so each hierarchy appears once.
func hierarchies() ([]string, error) {
	if isV2() {
		return []string{Root}, nil
	}
	entries, err := os.ReadDir(Root)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, filepath.Join(Root, e.Name()))
		}
	}
	return out, nil
}

// CreateParent makes the cgroup at path (relative to each hierarchy's
// root, cgroupfs style) and applies limits to it, so that every child
// the OCI runtime creates under it shares them.
func CreateParent(path string, l Limits) error {
	if isV2() {
		return createV2(path, l)
	}
	if l.Memory > 0 {
		dir := filepath.Join(Root, "memory", path)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		if err := write(dir, "memory.limit_in_bytes", strconv.FormatInt(l.Memory, 10)); err != nil {
			return err
		}
	}
	if l.CPUQuota > 0 {
		dir := filepath.Join(Root, "cpu", path)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		if err := write(dir, "cpu.cfs_period_us", strconv.FormatUint(period(l), 10)); err != nil {
			return err
		}
		if err := write(dir, "cpu.cfs_quota_us", strconv.FormatInt(l.CPUQuota, 10)); err != nil {
			return err
		}
	}
	return nil
}

func period(l Limits) uint64 {
	if l.CPUPeriod == 0 {
		return 100000
	}
	return l.CPUPeriod
}

// createV2 makes the cgroup and turns the memory and cpu controllers on
// along the way down, which v2 needs before a child can be limited.
func createV2(path string, l Limits) error {
	dir := filepath.Join(Root, path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if l.Memory == 0 && l.CPUQuota == 0 {
		return nil
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	cur := Root
	for _, p := range parts {
		if err := write(cur, "cgroup.subtree_control", "+memory +cpu"); err != nil {
			return err
		}
		cur = filepath.Join(cur, p)
	}
	if l.Memory > 0 {
		if err := write(dir, "memory.max", strconv.FormatInt(l.Memory, 10)); err != nil {
			return err
		}
	}
	if l.CPUQuota > 0 {
		if err := write(dir, "cpu.max", fmt.Sprintf("%d %d", l.CPUQuota, period(l))); err != nil {
			return err
		}
	}
	return nil
}

func write(dir, file, value string) error {
	if err := os.WriteFile(filepath.Join(dir, file), []byte(value), 0); err != nil {
		return fmt.Errorf("cgroup %s: %w", dir, err)
	}
	return nil
}

// RemoveParent removes the cgroup at path from every hierarchy. Its
// children must be gone already; a missing directory is not an error.
func RemoveParent(path string) error {
	hs, err := hierarchies()
	if err != nil {
		return err
	}
	var errs []error
	for _, h := range hs {
		if err := os.Remove(filepath.Join(h, path)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
