package cgroups

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Children maps the names of the cgroups directly under parent (cgroupfs
// style, relative to each hierarchy's root) to their directories, one per
// hierarchy that has them: what system check looks through for container
// cgroups left behind.
func Children(parent string) (map[string][]string, error) {
	hs, err := hierarchies()
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, h := range hs {
		entries, err := os.ReadDir(filepath.Join(h, parent))
		if err != nil {
			continue
		}
		for _, e := range entries {
			if e.IsDir() {
				out[e.Name()] = append(out[e.Name()], filepath.Join(h, parent, e.Name()))
			}
		}
	}
	return out, nil
}

// DirProcs lists the processes in the cgroup directories dirs (and their
// sub-cgroups).
func DirProcs(dirs []string) []int {
	seen := map[int]bool{}
	var out []int
	for _, d := range dirs {
		_ = filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
			if err != nil || !e.IsDir() {
				return nil
			}
			data, _ := os.ReadFile(filepath.Join(p, "cgroup.procs"))
			for _, f := range strings.Fields(string(data)) {
				if pid, err := strconv.Atoi(f); err == nil && !seen[pid] {
					seen[pid] = true
					out = append(out, pid)
				}
			}
			return nil
		})
	}
	return out
}

// RemoveDirs kills whatever still runs in the cgroup directories dirs and
// removes them, children first. A missing directory is not an error.
func RemoveDirs(dirs []string) error {
	for _, pid := range DirProcs(dirs) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	var errs []error
	for _, d := range dirs {
		var sub []string
		_ = filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
			if err == nil && e.IsDir() {
				sub = append(sub, p)
			}
			return nil
		})
		for i := len(sub) - 1; i >= 0; i-- {
			// The killed processes take a moment to leave the cgroup.
			var err error
			for try := 0; try < 50; try++ {
				if err = os.Remove(sub[i]); err == nil || errors.Is(err, os.ErrNotExist) || !errors.Is(err, syscall.EBUSY) {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}
