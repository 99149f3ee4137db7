package events

import (
	"fmt"
	"sort"
	"strings"

	"github.com/berth-dev/berth/engine/define"
)

// Filter keys accepted in ReadOptions.Filters, as `podman events --filter`
// spells them. "status" is docker's older name for "event".
var filterKeys = map[string]func(ev *define.Event, v string) bool{
	"type":      func(ev *define.Event, v string) bool { return ev.Type == v },
	"event":     func(ev *define.Event, v string) bool { return ev.Status == v },
	"status":    func(ev *define.Event, v string) bool { return ev.Status == v },
	"container": func(ev *define.Event, v string) bool { return ev.Type == "container" && matchRef(ev, v) },
	"pod":       func(ev *define.Event, v string) bool { return ev.Type == "pod" && matchRef(ev, v) },
	"volume":    func(ev *define.Event, v string) bool { return ev.Type == "volume" && matchRef(ev, v) },
	"network":   func(ev *define.Event, v string) bool { return ev.Type == "network" && matchRef(ev, v) },
	// image matches the image's own events and the events of containers
	// created from it.
	"image": func(ev *define.Event, v string) bool {
		return (ev.Type == "image" && matchRef(ev, v)) || (ev.Image != "" && ev.Image == v)
	},
	// label is "key" (present) or "key=value".
	"label": func(ev *define.Event, v string) bool {
		k, want, hasValue := strings.Cut(v, "=")
		got, ok := ev.Attributes[k]
		return ok && (!hasValue || got == want)
	},
}

// matchRef matches an object by full ID, name or ID prefix.
func matchRef(ev *define.Event, v string) bool {
	return v != "" && (ev.ID == v || ev.Name == v || strings.HasPrefix(ev.ID, v))
}

// ParseFilters turns `--filter key=value` arguments into the map
// ReadOptions takes, rejecting unknown keys.
func ParseFilters(args []string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("event filter %q is not key=value: %w", a, define.ErrInvalidArg)
		}
		out[k] = append(out[k], v)
	}
	if err := checkFilters(out); err != nil {
		return nil, err
	}
	return out, nil
}

func checkFilters(filters map[string][]string) error {
	for k := range filters {
		if _, ok := filterKeys[k]; !ok {
			keys := make([]string, 0, len(filterKeys))
			for k := range filterKeys {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			return fmt.Errorf("unknown event filter %q (want one of %s): %w", k, strings.Join(keys, ", "), define.ErrInvalidArg)
		}
	}
	return nil
}

// matches applies podman's rule: values of one key are ORed, different
// keys are ANDed.
func matches(ev *define.Event, filters map[string][]string) bool {
	for k, vals := range filters {
		match := filterKeys[k]
		ok := false
		for _, v := range vals {
			if match(ev, v) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}
