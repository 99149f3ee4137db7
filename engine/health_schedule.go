package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/berth-dev/berth/engine/define"
)

// Who runs the healthchecks on schedule, without a daemon. Where systemd
// is PID 1, a transient systemd timer runs `berth healthcheck run ID` every
// interval (as podman does); systemd outlives us and removes the unit when
// told. Elsewhere a small berth process, `berth healthcheck scheduler ID`,
// is started with the container: it sleeps the interval, runs the check,
// and exits as soon as the container is not running any more or another
// scheduler took over. Every cleanup of the container (stop, rm, kill, the
// exit command) kills it, so it never outlives the container's run.

// systemdRunDir exists when systemd is the init system (sd_booted(3)).
var systemdRunDir = "/run/systemd/system"

// systemdBooted reports whether systemd runs this host (PID 1).
func systemdBooted() bool {
	fi, err := os.Lstat(systemdRunDir)
	return err == nil && fi.IsDir()
}

// healthUnitName is the transient unit of a container's checks.
func healthUnitName(id string) string { return "berth-healthcheck-" + id }

// startHealthLocked starts the checks of a container that just started:
// its health is reset to starting and the timer or scheduler begins. A
// check with interval 0 (--health-interval disable) runs only on demand.
//
// Preconditions: c.lock is held; the container is running.
func (c *Container) startHealthLocked() error {
	if !c.HasHealthCheck() {
		return nil
	}
	if err := c.resetHealthLocked(); err != nil {
		return err
	}
	c.stopHealthLocked()
	if c.firstHealthInterval() <= 0 {
		return nil
	}
	if systemdBooted() {
		unit, err := c.startHealthTimer()
		if err != nil {
			return err
		}
		c.state.HealthUnit = unit
		return c.saveLocked()
	}
	args := append(c.runtime.cfg.globalArgs(), "healthcheck", "scheduler", c.config.ID)
	cmd := exec.Command(args[0], args[1:]...)
	// Its own session: no terminal signal of the starting command (^C of
	// an attached run) reaches it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting the healthcheck scheduler of container %s: %w", c.config.Name, err)
	}
	// Reaped here when this process lives on (the API service); a CLI
	// exits first and the scheduler is reparented.
	go func() { _ = cmd.Wait() }()
	c.state.HealthPID = cmd.Process.Pid
	c.state.HealthPIDStart = stampStart(cmd.Process.Pid, 0)
	return c.saveLocked()
}

// firstHealthInterval is the interval the schedule starts with: the
// startup check's while there is one.
func (c *Container) firstHealthInterval() time.Duration {
	h := c.config.Health
	if h.Startup != nil && !h.Startup.Disabled() {
		if h.Startup.Interval > 0 {
			return h.Startup.Interval
		}
	}
	return h.Check.Interval
}

// startHealthTimer creates the transient systemd timer that runs the
// check every interval, and returns the unit's name.
func (c *Container) startHealthTimer() (string, error) {
	unit := healthUnitName(c.config.ID)
	args := healthTimerArgs(unit, c.firstHealthInterval(), append(c.runtime.cfg.globalArgs(), "healthcheck", "run", c.config.ID))
	if out, err := exec.Command("systemd-run", args...).CombinedOutput(); err != nil {
		return "", fmt.Errorf("creating the healthcheck timer of container %s: %v: %s", c.config.Name, err, out)
	}
	// The timer counts from the service's last run: run it once now, as
	// podman does, or the timer never fires.
	if out, err := exec.Command("systemctl", "start", "--no-block", unit+".service").CombinedOutput(); err != nil {
		_ = exec.Command("systemctl", "stop", unit+".timer").Run()
		return "", fmt.Errorf("starting the healthcheck timer of container %s: %v: %s", c.config.Name, err, out)
	}
	return unit, nil
}

// healthTimerArgs are systemd-run's arguments for a timer that runs argv
// interval after each run ends, to the second.
func healthTimerArgs(unit string, interval time.Duration, argv []string) []string {
	return append([]string{
		"--property", "LogLevelMax=notice",
		"--setenv=PATH=" + os.Getenv("PATH"),
		"--unit", unit,
		"--on-unit-inactive=" + interval.String(),
		"--timer-property=AccuracySec=1s",
		"--quiet",
	}, argv...)
}

// stopHealthLocked ends the container's scheduler or timer. The calling
// process may be the scheduler itself (--health-on-failure stop): it is
// left to exit on its own once it sees the container stopped.
//
// Preconditions: c.lock is held.
func (c *Container) stopHealthLocked() {
	if pid := c.state.HealthPID; pid > 0 {
		if pid != os.Getpid() && pidAlive(pid, c.state.HealthPIDStart) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		c.state.HealthPID, c.state.HealthPIDStart = 0, 0
	}
	if unit := c.state.HealthUnit; unit != "" {
		_ = exec.Command("systemctl", "stop", unit+".timer", unit+".service").Run()
		_ = exec.Command("systemctl", "reset-failed", unit+".timer", unit+".service").Run()
		c.state.HealthUnit = ""
	}
}

// removeHealthFile deletes a health log kept outside the static dir
// (--health-log-destination DIR); the static dir goes with the container.
func (c *Container) removeHealthFile() {
	if h := c.config.Health; h != nil && filepath.IsAbs(h.LogDestination) {
		_ = os.Remove(c.healthFile())
	}
}

// RunHealthScheduler is the scheduler process's loop: it runs the check
// every interval while the container runs and this process is still its
// scheduler, and returns when either ends.
func (c *Container) RunHealthScheduler(ctx context.Context) error {
	for {
		if err := c.lockSync(); err != nil {
			if errors.Is(err, define.ErrCtrRemoved) || errors.Is(err, define.ErrNoSuchCtr) {
				return nil
			}
			return err
		}
		mine := c.state.HealthPID == os.Getpid()
		status := c.state.Status
		conmon, conmonStart := c.state.ConmonPID, c.state.ConmonPIDStart
		var st define.HealthState
		if mine {
			st, _ = c.readHealthLocked()
		}
		c.lock.Unlock()
		if !mine || (status != define.StatusRunning && status != define.StatusPaused) {
			return nil
		}
		interval := c.config.Health.Check.Interval
		if s := c.config.Health.Startup; s != nil && !s.Disabled() && !st.StartupPassed && s.Interval > 0 {
			interval = s.Interval
		}
		if !sleepWhileAlive(ctx, interval, conmon, conmonStart) {
			return nil
		}
		if status == define.StatusPaused {
			continue
		}
		// Errors (stopped meanwhile, exec refused) are the next round's
		// business: the loop's check above ends it when it should.
		_, _ = c.RunHealthCheck(ctx)
	}
}

// sleepWhileAlive waits d, looking every second whether the container's
// conmon is still there, so that a container that died is not waited on
// for a whole interval (its cleanup kills the scheduler anyway; this is
// for a cleanup that never ran). It reports whether conmon still runs.
func sleepWhileAlive(ctx context.Context, d time.Duration, conmon int, conmonStart uint64) bool {
	deadline := time.Now().Add(d)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(min(left, time.Second)):
		}
		if conmon > 0 && !pidAlive(conmon, conmonStart) {
			return false
		}
	}
}
