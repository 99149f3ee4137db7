package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/berth-dev/berth/engine/define"
)

// Healthchecks. The results live in a small JSON file per container
// (healthFile), read and written under the container's lock, as podman
// keeps its healthcheck.log: a check runs every few seconds and would
// otherwise rewrite the container's row each time. The check itself runs
// as an exec session without the lock held, so it never blocks stop, rm
// or inspect. Who runs the checks on schedule: see health_schedule.go.

// HealthCheckResult is what one run of the healthcheck found.
type HealthCheckResult struct {
	// Passed is true when the command exited 0 within its timeout.
	Passed bool
	// Status is the container's health after this run (starting,
	// healthy, unhealthy).
	Status string
	// Startup is true when the startup check ran.
	Startup bool
}

// errNoHealthCheck is a container without a (usable) healthcheck.
func (c *Container) errNoHealthCheck() error {
	return fmt.Errorf("container %s has no defined healthcheck: %w", c.config.ID, define.ErrInvalidArg)
}

// HasHealthCheck reports whether the container has a healthcheck.
func (c *Container) HasHealthCheck() bool {
	h := c.config.Health
	return h != nil && !h.Check.Disabled()
}

// healthFile is where the container's health state is kept: beside its
// log in the static dir (it survives stop, as inspect shows it), or in
// the directory --health-log-destination names.
func (c *Container) healthFile() string {
	if h := c.config.Health; h != nil && filepath.IsAbs(h.LogDestination) {
		return filepath.Join(h.LogDestination, c.config.ID+"-healthcheck.log")
	}
	return filepath.Join(c.staticDir(), "healthcheck.log")
}

// readHealthLocked returns the stored health state; none yet is empty.
//
// Preconditions: c.lock is held (or a stale read is acceptable: ps).
func (c *Container) readHealthLocked() (define.HealthState, error) {
	var st define.HealthState
	b, err := os.ReadFile(c.healthFile())
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, fmt.Errorf("health state of container %s: %w", c.config.Name, err)
	}
	return st, nil
}

// writeHealthLocked replaces the health file in one rename, so a reader
// without the lock (ps) never sees half of it.
//
// Preconditions: c.lock is held.
func (c *Container) writeHealthLocked(st *define.HealthState) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	path := c.healthFile()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// HealthStatus returns the container's health status: "" without a
// healthcheck, else starting, healthy or unhealthy. It reads the file
// without the lock (ps lists many containers), which the atomic rename
// in writeHealthLocked makes safe.
func (c *Container) HealthStatus() string {
	if !c.HasHealthCheck() {
		return ""
	}
	st, err := c.readHealthLocked()
	if err != nil || st.Status == "" {
		return define.HealthStarting
	}
	return st.Status
}

// Health returns the container's health as inspect shows it; nil
// without a healthcheck.
func (c *Container) Health() (*define.HealthResults, error) {
	if !c.HasHealthCheck() {
		return nil, nil
	}
	if err := c.lockSync(); err != nil {
		return nil, err
	}
	defer c.lock.Unlock()
	st, err := c.readHealthLocked()
	if err != nil {
		return nil, err
	}
	return healthForInspect(st), nil
}

func healthForInspect(st define.HealthState) *define.HealthResults {
	r := st.HealthResults
	if r.Status == "" {
		r.Status = define.HealthStarting
	}
	if r.Log == nil {
		r.Log = []define.HealthLogEntry{}
	}
	return &r
}

// resetHealthLocked marks a (re)started container's health as starting
// with no failures, keeping the log, as docker and podman do on start.
//
// Preconditions: c.lock is held.
func (c *Container) resetHealthLocked() error {
	st, err := c.readHealthLocked()
	if err != nil {
		st = define.HealthState{}
	}
	log := st.Log
	st = define.HealthState{}
	st.Status, st.Log = define.HealthStarting, log
	return c.writeHealthLocked(&st)
}

// RunHealthCheck runs the healthcheck once (or the startup check while it
// has not passed), records the result, logs a health_status event and
// applies --health-on-failure when the container is unhealthy. The
// container must be running.
func (c *Container) RunHealthCheck(ctx context.Context) (HealthCheckResult, error) {
	if err := c.lockSync(); err != nil {
		return HealthCheckResult{}, err
	}
	if c.state.Status != define.StatusRunning {
		c.lock.Unlock()
		return HealthCheckResult{}, fmt.Errorf("container %s is not running: %w", c.config.ID, define.ErrCtrStateInvalid)
	}
	if !c.HasHealthCheck() {
		c.lock.Unlock()
		return HealthCheckResult{}, c.errNoHealthCheck()
	}
	hs := c.config.Health
	st, err := c.readHealthLocked()
	started := c.state.StartedTime
	c.lock.Unlock()
	if err != nil {
		return HealthCheckResult{}, err
	}
	check := hs.Check
	startup := hs.Startup != nil && !hs.Startup.Disabled() && !st.StartupPassed
	if startup {
		check = &hs.Startup.HealthConfig
	}
	argv := check.Argv()
	if len(argv) == 0 || argv[0] == "" {
		return HealthCheckResult{}, c.errNoHealthCheck()
	}
	entry, err := c.execHealthCheck(ctx, argv, check.Timeout, hs.MaxLogSize)
	if err != nil {
		return HealthCheckResult{}, err
	}

	if err := c.lockSync(); err != nil {
		return HealthCheckResult{}, err
	}
	defer c.lock.Unlock()
	if c.state.Status != define.StatusRunning || !c.state.StartedTime.Equal(started) {
		// Stopped or restarted while the check ran: its result says
		// nothing about this run.
		return HealthCheckResult{}, fmt.Errorf("container %s is not running: %w", c.config.ID, define.ErrCtrStateInvalid)
	}
	if st, err = c.readHealthLocked(); err != nil {
		return HealthCheckResult{}, err
	}
	inStart := hs.Check.StartPeriod > 0 && entry.Start.Before(started.Add(hs.Check.StartPeriod))
	restart := false
	if startup {
		restart = applyStartupResult(&st, hs, entry)
	} else {
		applyHealthResult(&st, hs, entry, inStart)
	}
	if err := c.writeHealthLocked(&st); err != nil {
		return HealthCheckResult{}, err
	}
	res := HealthCheckResult{Passed: entry.ExitCode == 0, Status: st.Status, Startup: startup}
	kv := []string{"health_status", st.Status}
	if hs.LogDestination == define.HealthLogEvents {
		kv = append(kv, "health_log", entry.Output)
	}
	c.runtime.event(c.newEvent("health_status", kv...))
	switch {
	case restart:
		return res, c.healthRestartLocked(ctx)
	case !startup && st.Status == define.HealthUnhealthy:
		return res, c.healthFailureActionLocked(ctx)
	}
	return res, nil
}

// applyHealthResult folds one result of the regular check into st, as
// docker and podman count: a pass makes the container healthy and clears
// the streak; a failure outside the start period lengthens the streak,
// and Retries failures in a row make it unhealthy.
func applyHealthResult(st *define.HealthState, hs *define.HealthSettings, e define.HealthLogEntry, inStartPeriod bool) {
	if e.ExitCode == 0 {
		st.Status, st.FailingStreak = define.HealthHealthy, 0
	} else if !inStartPeriod {
		st.FailingStreak++
		if st.FailingStreak >= hs.Check.Retries {
			st.Status = define.HealthUnhealthy
		}
	}
	if st.Status == "" {
		st.Status = define.HealthStarting
	}
	appendHealthLog(st, hs, e)
}

// applyStartupResult folds one result of the startup check into st and
// reports whether the container must be restarted (Retries failures in
// a row). Successes passes in a row hand over to the regular check.
func applyStartupResult(st *define.HealthState, hs *define.HealthSettings, e define.HealthLogEntry) bool {
	sc := hs.Startup
	restart := false
	if e.ExitCode == 0 {
		st.StartupSuccesses++
		st.StartupFailures = 0
		if sc.Successes <= 0 || st.StartupSuccesses >= sc.Successes {
			st.StartupPassed = true
			st.StartupSuccesses, st.StartupFailures = 0, 0
		}
	} else {
		st.StartupSuccesses = 0
		st.StartupFailures++
		if sc.Retries > 0 && st.StartupFailures >= sc.Retries {
			restart = true
			st.StartupFailures = 0
		}
	}
	if st.Status == "" {
		st.Status = define.HealthStarting
	}
	appendHealthLog(st, hs, e)
	return restart
}

func appendHealthLog(st *define.HealthState, hs *define.HealthSettings, e define.HealthLogEntry) {
	st.Log = append(st.Log, e)
	if n := int(hs.MaxLogCount); n > 0 && len(st.Log) > n {
		st.Log = append([]define.HealthLogEntry(nil), st.Log[len(st.Log)-n:]...)
	}
}

// execHealthCheck runs argv in the container as an exec session and
// returns its result. A command that outlives timeout is killed and
// counts as a failure (exit code -1), as in docker. Output beyond
// maxSize bytes is dropped.
func (c *Container) execHealthCheck(ctx context.Context, argv []string, timeout time.Duration, maxSize uint) (define.HealthLogEntry, error) {
	id, err := c.ExecCreate(ctx, ExecConfig{Command: argv, Healthcheck: true})
	if err != nil {
		return define.HealthLogEntry{}, err
	}
	out := &cappedBuffer{max: int(maxSize)}
	e := define.HealthLogEntry{Start: time.Now()}
	if timeout <= 0 {
		timeout = define.DefaultHealthTimeout
	}
	tctx, cancel := context.WithTimeout(ctx, timeout)
	code, err := c.ExecStartAndAttach(tctx, id, AttachStreams{Stdout: out, Stderr: out, AttachStdout: true, AttachStderr: true}, nil, nil)
	timedOut := tctx.Err() != nil && ctx.Err() == nil
	cancel()
	e.End = time.Now()
	// Killed if still running; gone with the container if it stopped.
	_ = c.ExecRemove(context.WithoutCancel(ctx), id, true)
	switch {
	case timedOut:
		e.ExitCode = -1
		fmt.Fprintf(out, "healthcheck command exceeded timeout of %s", timeout)
	case errors.Is(err, define.ErrOCIRuntimeNotFound), errors.Is(err, define.ErrOCIRuntimePermissionDenied), errors.Is(err, define.ErrOCIRuntime):
		// The command could not run: a failed check, not an error.
		e.ExitCode = 1
		fmt.Fprint(out, err.Error())
	case err != nil:
		return e, err
	default:
		e.ExitCode = code
	}
	e.Output = out.String()
	return e, nil
}

// cappedBuffer keeps the first max bytes written (all with max 0) and
// accepts the rest without keeping it, so the exec's output copy never
// blocks or fails.
type cappedBuffer struct {
	b   strings.Builder
	max int
}

func (w *cappedBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if w.max > 0 {
		if room := w.max - w.b.Len(); room < len(p) {
			p = p[:max(room, 0)]
		}
	}
	w.b.Write(p)
	return n, nil
}

func (w *cappedBuffer) String() string { return w.b.String() }

// healthFailureActionLocked applies --health-on-failure to a container
// that is unhealthy.
//
// Preconditions: c.lock is held; the container is running.
func (c *Container) healthFailureActionLocked(ctx context.Context) error {
	switch c.config.Health.OnFailure {
	case define.HealthOnFailureKill:
		rt, err := c.runtime.ociRuntimeFor(c.config.OCIRuntime)
		if err != nil {
			return err
		}
		c.state.StoppedByUser = true
		if err := c.saveLocked(); err != nil {
			return err
		}
		if err := rt.KillContainer(ctx, c.config.ID, syscall.SIGKILL, false); err != nil {
			return fmt.Errorf("killing container %s after its healthcheck turned unhealthy: %w", c.config.Name, err)
		}
		c.runtime.event(c.newEvent("kill", "signal", fmt.Sprint(int(syscall.SIGKILL))))
	case define.HealthOnFailureStop:
		if err := c.stopLocked(ctx, c.config.StopTimeout); err != nil {
			return fmt.Errorf("stopping container %s after its healthcheck turned unhealthy: %w", c.config.Name, err)
		}
	case define.HealthOnFailureRestart:
		return c.healthRestartLocked(ctx)
	}
	return nil
}

// healthRestartLocked restarts the container (on-failure restart, or a
// startup check that failed too often). The new run gets a new scheduler;
// the one calling this, if any, sees it is no longer the container's and
// exits.
//
// Preconditions: c.lock is held.
func (c *Container) healthRestartLocked(ctx context.Context) error {
	if err := c.stopLocked(ctx, c.config.StopTimeout); err != nil {
		return fmt.Errorf("restarting container %s after its healthcheck failed: %w", c.config.Name, err)
	}
	c.runtime.event(c.newEvent("restart"))
	if err := c.startLocked(ctx); err != nil {
		return fmt.Errorf("restarting container %s after its healthcheck failed: %w", c.config.Name, err)
	}
	return nil
}
