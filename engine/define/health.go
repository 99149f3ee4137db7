package define

import (
	"fmt"
	"time"
)

// Health statuses, as docker and podman show them in inspect and ps.
const (
	HealthStarting  = "starting"
	HealthHealthy   = "healthy"
	HealthUnhealthy = "unhealthy"
)

// Health check defaults (docker's and podman's).
const (
	DefaultHealthInterval    = 30 * time.Second
	DefaultHealthTimeout     = 30 * time.Second
	DefaultHealthRetries     = 3
	DefaultHealthMaxLogCount = 5
	DefaultHealthMaxLogSize  = 500
	// HealthLogLocal keeps the log beside the container's other files.
	HealthLogLocal = "local"
	// HealthLogEvents also puts each result's output in the
	// health_status event.
	HealthLogEvents = "events_logger"
)

// Health on-failure actions (--health-on-failure).
const (
	HealthOnFailureNone    = "none"
	HealthOnFailureKill    = "kill"
	HealthOnFailureRestart = "restart"
	HealthOnFailureStop    = "stop"
)

// ValidHealthOnFailure checks an on-failure action; "" is none.
func ValidHealthOnFailure(a string) error {
	switch a {
	case "", HealthOnFailureNone, HealthOnFailureKill, HealthOnFailureRestart, HealthOnFailureStop:
		return nil
	}
	return fmt.Errorf("invalid healthcheck on-failure action %q: must be none, kill, restart or stop: %w", a, ErrInvalidArg)
}

// HealthConfig is a container's healthcheck, in docker's schema2 shape
// (the JSON of inspect's Config.Healthcheck, durations in nanoseconds).
// Test is ["CMD", argv...], ["CMD-SHELL", "cmd"] or ["NONE"].
type HealthConfig struct {
	Test        []string      `json:"Test,omitempty"`
	Interval    time.Duration `json:"Interval,omitempty"`
	Timeout     time.Duration `json:"Timeout,omitempty"`
	StartPeriod time.Duration `json:"StartPeriod,omitempty"`
	// StartInterval is docker's interval during the start period; berth
	// keeps it for inspect only.
	StartInterval time.Duration `json:"StartInterval,omitempty"`
	Retries       int           `json:"Retries,omitempty"`
}

// Disabled reports whether the config asks for no check at all.
func (h *HealthConfig) Disabled() bool {
	return h == nil || len(h.Test) == 0 || h.Test[0] == "NONE" || h.Test[0] == ""
}

// Argv is the command the check execs in the container.
func (h *HealthConfig) Argv() []string {
	if h.Disabled() {
		return nil
	}
	switch h.Test[0] {
	case "CMD":
		return h.Test[1:]
	case "CMD-SHELL":
		if len(h.Test) < 2 {
			return nil
		}
		return []string{"/bin/sh", "-c", h.Test[1]}
	}
	return h.Test
}

// StartupHealthConfig is podman's startup healthcheck: it runs first, and
// the regular check takes over after Successes passes in a row; Retries
// failures in a row restart the container.
type StartupHealthConfig struct {
	HealthConfig
	Successes int `json:"Successes,omitempty"`
}

// HealthSettings is everything about a container's healthcheck that is
// fixed at create time (ContainerConfig.Health).
type HealthSettings struct {
	Check   *HealthConfig        `json:"check,omitempty"`
	Startup *StartupHealthConfig `json:"startup,omitempty"`
	// OnFailure is what turning unhealthy does: none, kill, restart, stop.
	OnFailure string `json:"onFailure,omitempty"`
	// LogDestination is "local", "events_logger" or a directory.
	LogDestination string `json:"logDestination,omitempty"`
	// MaxLogCount and MaxLogSize bound the results kept and each one's
	// output; 0 is unlimited.
	MaxLogCount uint `json:"maxLogCount"`
	MaxLogSize  uint `json:"maxLogSize"`
}

// HealthLogEntry is one check's result.
type HealthLogEntry struct {
	Start    time.Time `json:"Start"`
	End      time.Time `json:"End"`
	ExitCode int       `json:"ExitCode"`
	Output   string    `json:"Output"`
}

// HealthResults is a container's health as inspect shows it (State.Health).
type HealthResults struct {
	Status        string           `json:"Status"`
	FailingStreak int              `json:"FailingStreak"`
	Log           []HealthLogEntry `json:"Log"`
}

// HealthState is what the checks keep between runs (the health file).
type HealthState struct {
	HealthResults
	// StartupPassed is set once the startup check has passed; the
	// counters count its consecutive results until then.
	StartupPassed    bool `json:"startupPassed,omitempty"`
	StartupSuccesses int  `json:"startupSuccesses,omitempty"`
	StartupFailures  int  `json:"startupFailures,omitempty"`
}
