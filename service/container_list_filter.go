package service

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
)

// filterSet holds parsed `ps --filter` values, podman's semantics: values
// of one key are ORed, different keys ANDed, except label (every label
// given must be there, as in podman and docker) and label! (none may be).
type filterSet struct {
	vals map[string][]string
	// before and since are the creation times of the containers the
	// before= and since= filters name (zero: no such filter).
	before, since time.Time
	// podIDs are the pods the pod= filters name, by full ID (a name or ID
	// prefix is looked up, as podman does; an unknown pod matches nothing).
	podIDs []string
}

// psFilterKeys are the --filter keys ps knows; any other is an error, not
// a filter silently ignored.
var psFilterKeys = map[string]bool{
	"id": true, "name": true, "status": true, "label": true, "label!": true,
	"ancestor": true, "exited": true, "before": true, "since": true, "pod": true, "volume": true,
	"health": true,
}

func parseFilters(in []string) (*filterSet, error) {
	f := &filterSet{vals: map[string][]string{}}
	for _, s := range in {
		k, v, ok := strings.Cut(s, "=")
		if !ok || v == "" {
			return nil, fmt.Errorf("invalid filter %q: filters must be key=value: %w", s, define.ErrInvalidArg)
		}
		if !psFilterKeys[k] {
			return nil, fmt.Errorf("invalid filter %q: unknown key %q (known: ancestor, before, exited, health, id, label, label!, name, pod, since, status, volume): %w", s, k, define.ErrInvalidArg)
		}
		if k == "status" {
			if _, err := define.ParseStatus(v); err != nil {
				return nil, fmt.Errorf("invalid filter %q: %w", s, err)
			}
		}
		if k == "health" {
			switch v {
			case define.HealthStarting, define.HealthHealthy, define.HealthUnhealthy, "none":
			default:
				return nil, fmt.Errorf("invalid filter %q: health must be starting, healthy, unhealthy or none: %w", s, define.ErrInvalidArg)
			}
		}
		if k == "exited" {
			if _, err := strconv.ParseInt(v, 10, 32); err != nil {
				return nil, fmt.Errorf("invalid filter %q: exit code must be a number: %w", s, define.ErrInvalidArg)
			}
		}
		f.vals[k] = append(f.vals[k], v)
	}
	return f, nil
}

// resolve looks up the containers before= and since= name. Several of
// one key use the earliest, as podman does.
func (f *filterSet) resolve(rt *engine.Runtime) error {
	for _, k := range []string{"before", "since"} {
		var at time.Time
		for _, v := range f.vals[k] {
			c, err := rt.LookupContainer(v)
			if err != nil {
				return fmt.Errorf("filter %s=%s: %w", k, v, err)
			}
			if t := c.Config().CreatedTime; at.IsZero() || t.Before(at) {
				at = t
			}
		}
		if k == "before" {
			f.before = at
		} else {
			f.since = at
		}
	}
	for _, v := range f.vals["pod"] {
		p, err := rt.LookupPod(v)
		if errors.Is(err, define.ErrNoSuchPod) {
			continue
		}
		if err != nil {
			return fmt.Errorf("filter pod=%s: %w", v, err)
		}
		f.podIDs = append(f.podIDs, p.ID())
	}
	return nil
}

func (f *filterSet) empty() bool { return len(f.vals) == 0 }

func hasStateFilter(f *filterSet) bool {
	_, s := f.vals["status"]
	_, e := f.vals["exited"]
	return s || e
}

func (f *filterSet) match(row *ListContainer) bool {
	for k, vals := range f.vals {
		var ok bool
		switch k {
		case "before":
			ok = row.Created.Before(f.before)
		case "since":
			ok = row.Created.After(f.since)
		case "label":
			ok = true
			for _, v := range vals {
				ok = ok && matchLabel(v, row.Labels)
			}
		case "pod":
			ok = row.Pod != "" && slices.Contains(f.podIDs, row.Pod)
		case "label!":
			ok = true
			for _, v := range vals {
				ok = ok && !matchLabel(v, row.Labels)
			}
		default:
			for _, v := range vals {
				if matchOne(k, v, row) {
					ok = true
					break
				}
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func matchOne(k, v string, row *ListContainer) bool {
	switch k {
	case "id":
		return strings.HasPrefix(row.ID, v)
	case "name":
		return strings.Contains(row.Names[0], v) || matchRegexp(v, row.Names[0])
	case "status":
		want, _ := define.ParseStatus(v)
		s := row.status
		if want == define.StatusExited {
			return s == define.StatusExited || s == define.StatusStopped
		}
		if want == define.StatusCreated {
			return s == define.StatusCreated || s == define.StatusConfigured
		}
		return s == want
	case "ancestor":
		return row.ImageID == v || strings.HasPrefix(row.ImageID, v) || row.Image == v || imageShortMatch(row.Image, v)
	case "exited":
		n, _ := strconv.Atoi(v)
		return row.Exited && int(row.ExitCode) == n
	case "health":
		// A container without a check, or not running, has no health.
		if v == "none" {
			return row.health == ""
		}
		return row.health == v
	case "volume":
		// A volume's name or a mount destination, as podman matches it.
		return slices.Contains(row.volumes, v) || slices.Contains(row.Mounts, v)
	}
	return false
}

func matchLabel(v string, labels map[string]string) bool {
	k, val, hasVal := strings.Cut(v, "=")
	got, ok := labels[k]
	return ok && (!hasVal || got == val)
}

// imageShortMatch lets "busybox" match "localhost/busybox:latest".
func imageShortMatch(full, short string) bool {
	name := full
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	if name == short {
		return true
	}
	if !strings.Contains(short, ":") {
		return strings.TrimSuffix(name, ":latest") == short || strings.SplitN(name, ":", 2)[0] == short
	}
	return false
}
