package spec

import "time"

// HealthConfig is the healthcheck a user asks for. Nil fields are not
// given: the image's HEALTHCHECK value, else the default, applies (docker
// merges the two field by field, so `--health-interval` alone retimes the
// image's check).
type HealthConfig struct {
	// Disable is --no-healthcheck or --health-cmd none: no check at all,
	// not even the image's.
	Disable bool
	// Test is ["CMD-SHELL", "cmd"] or ["CMD", argv...]; nil keeps the
	// image's command.
	Test []string
	// Interval 0 is --health-interval disable: the check runs only on
	// `healthcheck run`.
	Interval    *time.Duration
	Timeout     *time.Duration
	StartPeriod *time.Duration
	Retries     *int
	// OnFailure is none, kill, restart or stop ("" none).
	OnFailure string
	// LogDestination is local, events_logger or a directory ("" local).
	LogDestination string
	MaxLogCount    *uint
	MaxLogSize     *uint
	// Startup is podman's startup healthcheck (--health-startup-*).
	Startup *StartupHealthConfig
}

// StartupHealthConfig is the check that runs first, until Successes
// passes in a row; Retries failures in a row restart the container.
// Zero durations take the regular check's defaults.
type StartupHealthConfig struct {
	Test      []string
	Interval  time.Duration
	Timeout   time.Duration
	Retries   int
	Successes int
}
