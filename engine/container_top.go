package engine

import (
	"context"
	"fmt"
	"strconv"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/cgroups"
	"github.com/berth-dev/berth/internal/procps"
)

// Top lists the processes of a running container: a header row, then one
// row per process, with psgo descriptors or ps options (see
// procps.Descriptors). The processes are those of the container's cgroup,
// so forks that left the init process's tree and exec sessions are shown;
// without a cgroup (rootless on v1, --cgroups=disabled) those of its PID
// namespace.
func (c *Container) Top(ctx context.Context, args []string) ([][]string, error) {
	descs, err := procps.Descriptors(args)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", err, define.ErrInvalidArg)
	}
	pid, err := c.runningPID("top")
	if err != nil {
		return nil, err
	}
	pids, err := c.processes(pid)
	if err != nil {
		return nil, fmt.Errorf("container %s processes: %w", c.config.Name, err)
	}
	rows, err := procps.Table(pids, descs, "/proc/"+strconv.Itoa(pid)+"/root")
	if err != nil {
		return nil, err
	}
	return append([][]string{procps.Headers(descs)}, rows...), nil
}

// runningPID returns the host PID of a running (or paused) container's
// init process, or podman's error for verb.
func (c *Container) runningPID(verb string) (int, error) {
	if err := c.lockSync(); err != nil {
		return 0, err
	}
	defer c.lock.Unlock()
	switch c.state.Status {
	case define.StatusRunning, define.StatusPaused, define.StatusStopping:
		if c.alive() {
			return c.state.PID, nil
		}
	}
	return 0, fmt.Errorf("%s can only be used on running containers: %w", verb, define.ErrCtrStateInvalid)
}

// processes lists the container's processes (see Top); pid is its init's.
func (c *Container) processes(pid int) ([]int, error) {
	if !c.hasCgroup() {
		return procps.InPIDNamespace(pid)
	}
	cg, err := cgroups.ForPID(pid)
	if err != nil {
		return nil, err
	}
	return cg.Procs()
}
