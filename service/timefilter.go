package service

import (
	"fmt"
	"time"

	"github.com/berth-dev/berth/engine/define"
)

// ParseTime reads the value of an until/since filter or flag: a
// timestamp (RFC 3339, a date, or Unix seconds) or a duration back from
// now ("10m"), as podman and docker take them.
func ParseTime(v string) (time.Time, error) {
	if d, err := time.ParseDuration(v); err == nil {
		return time.Now().Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	if v == "" {
		return time.Time{}, fmt.Errorf("empty timestamp: %w", define.ErrInvalidArg)
	}
	var secs int64
	for _, r := range v {
		if r < '0' || r > '9' {
			return time.Time{}, fmt.Errorf("%q is not a timestamp or duration: %w", v, define.ErrInvalidArg)
		}
		secs = secs*10 + int64(r-'0')
	}
	return time.Unix(secs, 0), nil
}
