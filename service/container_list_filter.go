package service

import (
	"errors"
	"fmt"
	"path"
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
	"health": true, "network": true, "publish": true, "expose": true, "restart-policy": true,
	"until": true, "command": true, "is-task": true,
}

func parseFilters(in []string) (*filterSet, error) {
	f := &filterSet{vals: map[string][]string{}}
	for _, s := range in {
		k, v, ok := strings.Cut(s, "=")
		if !ok || v == "" {
			return nil, fmt.Errorf("invalid filter %q: filters must be key=value: %w", s, define.ErrInvalidArg)
		}
		if !psFilterKeys[k] {
			return nil, fmt.Errorf("invalid filter %q: unknown key %q (known: ancestor, before, command, exited, expose, health, id, is-task, label, label!, name, network, pod, publish, restart-policy, since, status, until, volume): %w", s, k, define.ErrInvalidArg)
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
		if err := checkFilterValue(k, v); err != nil {
			return nil, fmt.Errorf("invalid filter %q: %w", s, err)
		}
		f.vals[k] = append(f.vals[k], v)
	}
	return f, nil
}

// checkFilterValue refuses values of the keys whose values have a syntax.
func checkFilterValue(k, v string) error {
	switch k {
	case "until":
		_, err := ParseTime(v)
		return err
	case "publish", "expose":
		_, _, _, err := parsePortFilter(v)
		return err
	case "restart-policy":
		switch v {
		case "no", "always", "on-failure", "unless-stopped":
			return nil
		}
		return fmt.Errorf("restart-policy must be no, always, on-failure or unless-stopped: %w", define.ErrInvalidArg)
	case "is-task":
		if v != "true" && v != "false" {
			return fmt.Errorf("is-task must be true or false: %w", define.ErrInvalidArg)
		}
	}
	return nil
}

// parsePortFilter reads docker's PORT[/PROTO] or START-END[/PROTO] (tcp
// when no protocol is given).
func parsePortFilter(v string) (lo, hi uint16, proto string, err error) {
	ports, proto, _ := strings.Cut(v, "/")
	if proto == "" {
		proto = "tcp"
	}
	if proto != "tcp" && proto != "udp" && proto != "sctp" {
		return 0, 0, "", fmt.Errorf("invalid protocol %q: %w", proto, define.ErrInvalidArg)
	}
	a, b, isRange := strings.Cut(ports, "-")
	if !isRange {
		b = a
	}
	l, err1 := strconv.ParseUint(a, 10, 16)
	h, err2 := strconv.ParseUint(b, 10, 16)
	if err1 != nil || err2 != nil || l == 0 || h < l {
		return 0, 0, "", fmt.Errorf("invalid port %q: %w", ports, define.ErrInvalidArg)
	}
	return uint16(l), uint16(h), proto, nil
}

// portMatches says whether one of ports (published container ports for
// publish, those and the exposed ones for expose) is in the filter's range.
func portMatches(v string, ports []define.PortMapping) bool {
	lo, hi, proto, _ := parsePortFilter(v)
	for _, p := range ports {
		pp := p.Protocol
		if pp == "" {
			pp = "tcp"
		}
		// Range is the number of consecutive ports (0 or 1: one).
		first := p.ContainerPort
		last := uint32(first) + uint32(max(p.Range, 1)) - 1
		if pp == proto && uint32(lo) <= last && uint32(hi) >= uint32(first) {
			return true
		}
	}
	return false
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
	// network= takes a name or an ID (prefix): match by the name.
	for i, v := range f.vals["network"] {
		if n, err := rt.Network(v); err == nil {
			f.vals["network"][i] = n.Name
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
	case "network":
		return slices.Contains(row.Networks, v)
	case "publish":
		// A published container port, as docker matches it (its
		// reference: --publish=80 is found by publish=80 whatever the
		// host port).
		return portMatches(v, row.Ports)
	case "expose":
		// Published container ports and the image's or --expose's ports.
		return portMatches(v, row.Ports) || portMatches(v, row.exposed)
	case "restart-policy":
		p := row.restartPolicy
		if p == "" {
			p = "no"
		}
		return p == v
	case "until":
		t, _ := ParseTime(v)
		return row.Created.Before(t)
	case "command":
		// argv[0], as podman matches it (its base name too).
		return len(row.Command) > 0 && (row.Command[0] == v || path.Base(row.Command[0]) == v)
	case "is-task":
		// Swarm tasks do not exist here.
		return v == "false"
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
