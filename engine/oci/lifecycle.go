package oci

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/berth-dev/berth/engine/define"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// StartContainer has the container's process (pid), blocked since create,
// exec its command: through the exec fifo for runc (startThroughFifo),
// else with `<runtime> start`. Some runtime versions only notice a missing
// executable here, so the error is classified like create's.
func (r *Runtime) StartContainer(ctx context.Context, id string, pid int) error {
	if done, err := r.startThroughFifo(ctx, id, pid); done {
		return err
	}
	_, err := r.run(ctx, "start", id)
	return wrapID(id, err)
}

// KillContainer sends sig to the container's init process, or to every
// process in it when all is set (needed when the container shares its PID
// namespace and init would not forward the signal).
func (r *Runtime) KillContainer(ctx context.Context, id string, sig syscall.Signal, all bool) error {
	args := []string{"kill"}
	if all {
		args = append(args, "--all")
	}
	args = append(args, id, strconv.Itoa(int(sig)))
	_, err := r.run(ctx, args...)
	if err != nil && isNotRunning(err) {
		return fmt.Errorf("container %s: %s: %w", id, err.Error(), define.ErrCtrStateInvalid)
	}
	return wrapID(id, err)
}

// DeleteContainer makes the runtime forget the container, killing it first
// if needed. A container the runtime does not know is already deleted.
func (r *Runtime) DeleteContainer(ctx context.Context, id string) error {
	_, err := r.run(ctx, "delete", "--force", id)
	if errors.Is(err, define.ErrNoSuchCtr) {
		return nil
	}
	return wrapID(id, err)
}

// PauseContainer freezes every process of the container (cgroup freezer).
func (r *Runtime) PauseContainer(ctx context.Context, id string) error {
	_, err := r.run(ctx, "pause", id)
	return wrapID(id, err)
}

// ResumeContainer thaws a paused container.
func (r *Runtime) ResumeContainer(ctx context.Context, id string) error {
	_, err := r.run(ctx, "resume", id)
	return wrapID(id, err)
}

// UpdateResources changes the cgroup limits of a created, running or
// paused container in place (`<runtime> update --resources FILE`: runc
// and crun both read the OCI LinuxResources document from the file).
func (r *Runtime) UpdateResources(ctx context.Context, id string, res *specs.LinuxResources) error {
	data, err := json.Marshal(res)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp("", "berth-update-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	_, err = r.run(ctx, "update", "--resources="+f.Name(), id)
	return wrapID(id, err)
}

// runtimeState is the part of the OCI state document we use.
type runtimeState struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Pid    int    `json:"pid"`
}

// State asks the runtime for the container's status: "created", "running",
// "paused" or "stopped", with its init PID (0 once stopped). An error
// wrapping define.ErrNoSuchCtr means the runtime no longer knows it (deleted,
// or the host rebooted).
func (r *Runtime) State(ctx context.Context, id string) (status string, pid int, err error) {
	out, err := r.run(ctx, "state", id)
	if err != nil {
		return "", 0, wrapID(id, err)
	}
	var st runtimeState
	if err := json.Unmarshal(out, &st); err != nil {
		return "", 0, fmt.Errorf("container %s: decode %s state: %w", id, r.cfg.Name, err)
	}
	switch st.Status {
	case "created", "running", "paused", "stopped":
	case "creating":
		st.Status = "created"
	default:
		return "", 0, fmt.Errorf("container %s: unknown runtime status %q: %w", id, st.Status, define.ErrOCIRuntime)
	}
	if st.Status == "stopped" {
		st.Pid = 0
	}
	return st.Status, st.Pid, nil
}

func wrapID(id string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("container %s: %w", id, err)
}

// isNotRunning matches the runtimes' complaints about signalling a
// container whose process is gone.
func isNotRunning(err error) bool {
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "not running") || strings.Contains(msg, "process already finished") ||
		strings.Contains(msg, "no such process")
}
