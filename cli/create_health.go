package cli

import (
	"strings"
	"time"

	"github.com/berth-dev/berth/spec"
	"github.com/spf13/pflag"
)

// healthFlags are the healthcheck flags of create and run, as podman
// names them (docker's --health-* are the same subset).
type healthFlags struct {
	cmd, interval, timeout, startPeriod, startInterval string
	retries                                            uint
	onFailure, logDest                                 string
	maxLogCount, maxLogSize                            uint
	noHealthcheck                                      bool
	startupCmd, startupInterval, startupTimeout        string
	startupRetries, startupSuccess                     uint
}

func bindHealthFlags(f *pflag.FlagSet, o *healthFlags) {
	f.StringVar(&o.cmd, "health-cmd", "", "set a healthcheck command for the container ('none' disables the existing healthcheck)")
	f.StringVar(&o.interval, "health-interval", "30s", "set an interval for the healthcheck (a value of disable results in no automatic timer setup)")
	f.UintVar(&o.retries, "health-retries", 3, "the number of retries allowed before a healthcheck is considered to be unhealthy")
	f.StringVar(&o.startPeriod, "health-start-period", "0s", "the initialization time needed for a container to bootstrap")
	f.StringVar(&o.startInterval, "health-start-interval", "", "time between running the check during the start period")
	f.StringVar(&o.timeout, "health-timeout", "30s", "the maximum time allowed to complete the healthcheck before an interval is considered failed")
	f.StringVar(&o.onFailure, "health-on-failure", "none", "action to take once the container turns unhealthy (none, kill, restart, stop)")
	f.StringVar(&o.logDest, "health-log-destination", "local", "set the destination of the healthcheck log: a directory path, local or events_logger")
	f.UintVar(&o.maxLogCount, "health-max-log-count", 5, "set maximum number of attempts in the healthcheck log file ('0' value means an infinite number of attempts in the log file)")
	f.UintVar(&o.maxLogSize, "health-max-log-size", 500, "set maximum length in characters of stored healthcheck log ('0' value means an infinite log length)")
	f.BoolVar(&o.noHealthcheck, "no-healthcheck", false, "disable healthchecks on container")
	f.StringVar(&o.startupCmd, "health-startup-cmd", "", "set a startup healthcheck command for the container")
	f.StringVar(&o.startupInterval, "health-startup-interval", "30s", "set an interval for the startup healthcheck")
	f.UintVar(&o.startupRetries, "health-startup-retries", 0, "set the maximum number of retries before the startup healthcheck will restart the container")
	f.UintVar(&o.startupSuccess, "health-startup-success", 0, "set the number of consecutive successes before the startup healthcheck is marked as successful and the normal healthcheck begins (0 indicates any success will start the regular healthcheck)")
	f.StringVar(&o.startupTimeout, "health-startup-timeout", "30s", "set the maximum amount of time that the startup healthcheck may take before it is considered failed")
}

// toSpec turns the flags that were given into the spec's healthcheck;
// nil when none was (the image's applies).
func (o *healthFlags) toSpec(f *pflag.FlagSet) (*spec.HealthConfig, error) {
	changed := false
	f.VisitAll(func(fl *pflag.Flag) {
		if fl.Changed && (strings.HasPrefix(fl.Name, "health-") || fl.Name == "no-healthcheck") {
			changed = true
		}
	})
	if !changed {
		return nil, nil
	}
	h := &spec.HealthConfig{OnFailure: o.onFailure}
	if o.noHealthcheck {
		others := false
		f.Visit(func(fl *pflag.Flag) { others = others || strings.HasPrefix(fl.Name, "health-") })
		if others {
			return nil, usageError("cannot specify both --no-healthcheck and other HealthCheck flags")
		}
		h.Disable = true
		return h, nil
	}
	if f.Changed("health-cmd") {
		test, err := healthTest(o.cmd)
		if err != nil {
			return nil, err
		}
		if test == nil {
			h.Disable = true
			return h, nil
		}
		h.Test = test
	}
	switch o.onFailure {
	case "none", "kill", "restart", "stop":
	default:
		return nil, usageError("invalid on-failure action %q for --health-on-failure: must be none, kill, restart or stop", o.onFailure)
	}
	if f.Changed("health-interval") {
		d := time.Duration(0)
		if o.interval != "disable" {
			var err error
			if d, err = atLeastSecond("health-interval", o.interval); err != nil {
				return nil, err
			}
		}
		h.Interval = &d
	}
	if f.Changed("health-timeout") {
		d, err := atLeastSecond("health-timeout", o.timeout)
		if err != nil {
			return nil, err
		}
		h.Timeout = &d
	}
	if f.Changed("health-start-period") {
		d, err := time.ParseDuration(o.startPeriod)
		if err != nil || d < 0 {
			return nil, usageError("invalid --health-start-period %q: must be a duration of 0 seconds or more", o.startPeriod)
		}
		h.StartPeriod = &d
	}
	if f.Changed("health-retries") {
		if o.retries < 1 {
			return nil, usageError("healthcheck-retries must be greater than 0")
		}
		r := int(o.retries)
		h.Retries = &r
	}
	if f.Changed("health-log-destination") {
		if d := o.logDest; d != "local" && d != "events_logger" && !strings.HasPrefix(d, "/") {
			return nil, usageError("invalid --health-log-destination %q: must be local, events_logger or an absolute directory path", d)
		}
		h.LogDestination = o.logDest
	}
	if f.Changed("health-max-log-count") {
		n := o.maxLogCount
		h.MaxLogCount = &n
	}
	if f.Changed("health-max-log-size") {
		n := o.maxLogSize
		h.MaxLogSize = &n
	}
	if f.Changed("health-startup-cmd") {
		test, err := healthTest(o.startupCmd)
		if err != nil {
			return nil, err
		}
		if test != nil {
			su := &spec.StartupHealthConfig{Test: test, Retries: int(o.startupRetries), Successes: int(o.startupSuccess)}
			if su.Interval, err = atLeastSecond("health-startup-interval", o.startupInterval); err != nil {
				return nil, err
			}
			if su.Timeout, err = atLeastSecond("health-startup-timeout", o.startupTimeout); err != nil {
				return nil, err
			}
			h.Startup = su
		}
	} else if f.Changed("health-startup-interval") || f.Changed("health-startup-retries") ||
		f.Changed("health-startup-success") || f.Changed("health-startup-timeout") {
		return nil, usageError("startup healthcheck flags need --health-startup-cmd")
	}
	return h, nil
}

// healthTest turns --health-cmd into docker's Test form: a JSON array is
// the argv (["CMD", ...] added unless it names CMD, CMD-SHELL or NONE),
// anything else a shell command; "none" is nil (no check).
func healthTest(cmd string) ([]string, error) {
	switch {
	case cmd == "", strings.EqualFold(cmd, "none"):
		return nil, nil
	case strings.HasPrefix(cmd, "["):
		argv, err := parseJSONArray(cmd)
		if err != nil {
			return nil, usageError("invalid --health-cmd %q: %v", cmd, err)
		}
		if len(argv) == 0 {
			return nil, usageError("invalid --health-cmd %q: the command is empty", cmd)
		}
		switch argv[0] {
		case "NONE":
			return nil, nil
		case "CMD", "CMD-SHELL":
			if len(argv) < 2 {
				return nil, usageError("invalid --health-cmd %q: the command is empty", cmd)
			}
			return argv, nil
		}
		return append([]string{"CMD"}, argv...), nil
	}
	return []string{"CMD-SHELL", cmd}, nil
}

// atLeastSecond parses a healthcheck duration that podman wants to be at
// least one second.
func atLeastSecond(flag, v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, usageError("invalid --%s %q: %v", flag, v, err)
	}
	if d < time.Second {
		return 0, usageError("%s must be at least 1 second", strings.ReplaceAll(flag, "health-", "healthcheck-"))
	}
	return d, nil
}
