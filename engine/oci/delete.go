package oci

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// runcState is the part of runc's state.json that deleting an exited
// container needs.
type runcState struct {
	InitPID      int               `json:"init_process_pid"`
	CgroupPaths  map[string]string `json:"cgroup_paths"`
	IntelRdtPath string            `json:"intel_rdt_path"`
	Config       struct {
		// Every kind of hook is listed, most with null.
		Hooks map[string][]json.RawMessage `json:"hooks"`
	} `json:"config"`
}

// DeleteExited makes the runtime forget a container whose init has exited
// (conmon wrote its exit file). For runc with cgroupfs it does in-process
// what `runc delete` does for such a container, removing its cgroups and
// its state directory: one runc process less after every run. Anything
// unusual (hooks, a process left in a cgroup, init still there, another
// runtime or systemd cgroups) goes to DeleteContainer.
func (r *Runtime) DeleteExited(ctx context.Context, id string) error {
	if r.cfg.Name != "runc" || r.cfg.CgroupManager == "systemd" || !r.deleteInProcess(id) {
		return r.DeleteContainer(ctx, id)
	}
	return nil
}

func (r *Runtime) deleteInProcess(id string) bool {
	dir := filepath.Join(r.cfg.StateRoot, id)
	data, err := os.ReadFile(filepath.Join(dir, "state.json"))
	if err != nil {
		return false
	}
	var st runcState
	if json.Unmarshal(data, &st) != nil || st.InitPID <= 0 || st.IntelRdtPath != "" {
		return false // resctrl groups are runc's to remove
	}
	for _, hooks := range st.Config.Hooks {
		if len(hooks) > 0 {
			return false
		}
	}
	if _, err := os.Stat("/proc/" + strconv.Itoa(st.InitPID)); err == nil {
		return false // still there (or its PID reused): let runc check
	}
	for _, p := range st.CgroupPaths {
		if !removeCgroup(p) {
			return false
		}
	}
	return os.RemoveAll(dir) == nil
}

// removeCgroup removes an empty cgroup directory; a missing one is fine.
func removeCgroup(path string) bool {
	if path == "" || !filepath.IsAbs(path) || filepath.Dir(path) == "/" {
		return false
	}
	err := syscall.Rmdir(path)
	return err == nil || errors.Is(err, os.ErrNotExist)
}
