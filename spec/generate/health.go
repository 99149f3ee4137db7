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
	if su := h.Startup; su != nil && len(su.Test) > 0 {
		sc := &define.StartupHealthConfig{Successes: su.Successes}
		sc.Test, sc.Interval, sc.Timeout, sc.Retries = su.Test, su.Interval, su.Timeout, su.Retries
		if sc.Interval == 0 {
			sc.Interval = define.DefaultHealthInterval
		}
		if sc.Timeout == 0 {
			sc.Timeout = define.DefaultHealthTimeout
		}
		hs.Startup = sc
	}
	return hs
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
