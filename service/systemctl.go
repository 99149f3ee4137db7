package service

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// Systemd is what berth asks of the service manager: quadlet
// install/rm reload it, auto-update restarts units. It is an interface so
// that tests can stand in for systemctl (systemd is seldom PID 1 in a test
// environment); everything else auto-update does is real.
type Systemd interface {
	// Running reports whether a service manager answers at all.
	Running() bool
	DaemonReload(ctx context.Context) error
	RestartUnit(ctx context.Context, unit string) error
	// StopUnit stops unit and waits for the job.
	StopUnit(ctx context.Context, unit string) error
	// ActiveState is the unit's state (active, inactive, failed...).
	ActiveState(ctx context.Context, unit string) string
}

// Systemctl drives systemd through the systemctl command (--user for a
// user's manager). $BERTH_SYSTEMCTL names another command with the same
// arguments, which is how the e2e tests stand in for systemd.
type Systemctl struct{ User bool }

func (s Systemctl) bin() string {
	if b := os.Getenv("BERTH_SYSTEMCTL"); b != "" {
		return b
	}
	return "systemctl"
}

// Running reports whether systemd is the init system (its runtime
// directory exists), or a stand-in was configured.
func (s Systemctl) Running() bool {
	if os.Getenv("BERTH_SYSTEMCTL") != "" {
		return true
	}
	_, err := os.Stat("/run/systemd/system")
	return err == nil
}

func (s Systemctl) run(ctx context.Context, args ...string) (string, error) {
	if s.User {
		args = append([]string{"--user"}, args...)
	}
	out, err := exec.CommandContext(ctx, s.bin(), args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("systemctl %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// DaemonReload makes systemd rerun the generators (quadlet among them).
func (s Systemctl) DaemonReload(ctx context.Context) error {
	_, err := s.run(ctx, "daemon-reload")
	return err
}

// RestartUnit restarts unit and waits for the job.
func (s Systemctl) RestartUnit(ctx context.Context, unit string) error {
	_, err := s.run(ctx, "restart", unit)
	return err
}

// StopUnit stops unit and waits for the job.
func (s Systemctl) StopUnit(ctx context.Context, unit string) error {
	_, err := s.run(ctx, "stop", unit)
	return err
}

// ActiveState returns `systemctl is-active`'s answer ("unknown" when it
// cannot be asked).
func (s Systemctl) ActiveState(ctx context.Context, unit string) string {
	if !s.Running() {
		return "unknown"
	}
	out, _ := s.run(ctx, "is-active", unit)
	if st := strings.TrimSpace(out); st != "" && !strings.Contains(st, " ") {
		return st
	}
	return "unknown"
}
