package generate

import (
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/spec"
)

// health merges the asked-for healthcheck over the image's HEALTHCHECK,
// field by field as docker does, and fills in the defaults. It returns
// nil when the container has no check.
func health(h *spec.HealthConfig, img *define.Image) *define.HealthSettings {
	var base define.HealthConfig
	if img != nil && img.Healthcheck != nil {
		base = *img.Healthcheck
		base.Test = append([]string(nil), base.Test...)
	}
	if h == nil {
		h = &spec.HealthConfig{}
	}
	if h.Disable {
		return nil
	}
	if h.Test != nil {
		base.Test = h.Test
	}
	if base.Disabled() {
		return nil
	}
	chk := base
	setDur(&chk.Interval, h.Interval, define.DefaultHealthInterval)
	setDur(&chk.Timeout, h.Timeout, define.DefaultHealthTimeout)
	setDur(&chk.StartPeriod, h.StartPeriod, 0)
	if h.Retries != nil {
		chk.Retries = *h.Retries
	} else if chk.Retries == 0 {
		chk.Retries = define.DefaultHealthRetries
	}
	hs := &define.HealthSettings{
		Check:          &chk,
		OnFailure:      h.OnFailure,
		LogDestination: h.LogDestination,
		MaxLogCount:    define.DefaultHealthMaxLogCount,
		MaxLogSize:     define.DefaultHealthMaxLogSize,
	}
	if hs.OnFailure == "" {
		hs.OnFailure = define.HealthOnFailureNone
	}
	if hs.LogDestination == "" {
		hs.LogDestination = define.HealthLogLocal
	}
	if h.MaxLogCount != nil {
		hs.MaxLogCount = *h.MaxLogCount
	}
	if h.MaxLogSize != nil {
		hs.MaxLogSize = *h.MaxLogSize
	}
	hs.Startup = startupHealth(h.Startup)
	return hs
}

// startupHealth is the startup check asked for, with the defaults; nil
// for none.
func startupHealth(su *spec.StartupHealthConfig) *define.StartupHealthConfig {
	if su == nil || len(su.Test) == 0 {
		return nil
	}
	sc := &define.StartupHealthConfig{Successes: su.Successes}
	sc.Test, sc.Interval, sc.Timeout, sc.Retries = su.Test, su.Interval, su.Timeout, su.Retries
	if sc.Interval == 0 {
		sc.Interval = define.DefaultHealthInterval
	}
	if sc.Timeout == 0 {
		sc.Timeout = define.DefaultHealthTimeout
	}
	return sc
}

// setDur sets *dst to the asked value, else keeps the image's non-zero
// one, else the default.
func setDur[T ~int64](dst *T, asked *T, def T) {
	switch {
	case asked != nil:
		*dst = *asked
	case *dst == 0:
		*dst = def
	}
}

// UpdateHealth is `update`'s healthcheck flags over the container's
// check: only what h sets changes (h.Disable removes the check); a
// container without one needs a command. It returns nil for no check.
func UpdateHealth(cur *define.HealthSettings, h *spec.HealthConfig) (*define.HealthSettings, error) {
	if h.Disable {
		return nil, nil
	}
	if cur == nil || cur.Check == nil {
		if h.Test == nil {
			return nil, invalid("the container has no healthcheck: --health-cmd is needed to add one")
		}
		return health(h, nil), nil
	}
	out := *cur
	chk := *cur.Check
	out.Check = &chk
	if h.Test != nil {
		chk.Test = h.Test
	}
	if h.Interval != nil {
		chk.Interval = *h.Interval
	}
	if h.Timeout != nil {
		chk.Timeout = *h.Timeout
	}
	if h.StartPeriod != nil {
		chk.StartPeriod = *h.StartPeriod
	}
	if h.Retries != nil {
		chk.Retries = *h.Retries
	}
	if h.OnFailure != "" {
		out.OnFailure = h.OnFailure
	}
	if h.LogDestination != "" {
		out.LogDestination = h.LogDestination
	}
	if h.MaxLogCount != nil {
		out.MaxLogCount = *h.MaxLogCount
	}
	if h.MaxLogSize != nil {
		out.MaxLogSize = *h.MaxLogSize
	}
	if h.Startup != nil {
		out.Startup = startupHealth(h.Startup)
	}
	return &out, nil
}
