package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
)

// A libpod create body (SpecGenerator, PodSpecGenerator) is read key by
// key: every key is mapped, a podman default that berth's behaviour
// already matches, or zero (null, "", 0, false, {}, []); anything else is
// refused with 400 naming the field, not dropped.

// body is a decoded request body: its keys not yet accounted for.
type body map[string]json.RawMessage

func decodeSpecBody(r *http.Request) (body, error) {
	var b body
	if err := decodeBody(r, &b); err != nil {
		return nil, err
	}
	return b, nil
}

// take decodes key into v (when present) and marks it accounted for.
func (b body) take(key string, v any) error {
	raw, ok := b[key]
	if !ok {
		return nil
	}
	delete(b, key)
	if err := json.Unmarshal(raw, v); err != nil {
		return badRequest(fmt.Errorf("invalid %s: %w", key, err))
	}
	return nil
}

// allow accounts for key when its value is one of podman's defaults.
func (b body) allow(key string, defaults ...string) {
	raw, ok := b[key]
	if !ok {
		return
	}
	for _, d := range defaults {
		if bytes.Equal(bytes.TrimSpace(raw), []byte(d)) {
			delete(b, key)
			return
		}
	}
}

// rest refuses the first key left with a non-zero value.
func (b body) rest() error {
	for _, k := range mapKeys(b) {
		var v any
		if err := json.Unmarshal(b[k], &v); err != nil || !isZero(v) {
			return badRequest(fmt.Errorf("%s is not supported by berth", k))
		}
	}
	return nil
}

func isZero(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case bool:
		return !t
	case float64:
		return t == 0
	case string:
		return t == ""
	case []any:
		return len(t) == 0
	case map[string]any:
		for _, e := range t {
			if !isZero(e) {
				return false
			}
		}
		return true
	}
	return false
}

// podmanDefaults accounts for what podman's client sends on every create
// from its own containers.conf defaults, where berth behaves the same.
func (b body) podmanDefaults() error {
	b.allow("httpproxy", "true", "false") // berth passes no proxy variables of its own
	b.allow("systemd", `"true"`, `"false"`)
	b.allow("sdnotifyMode", `"container"`, `"ignore"`)
	b.allow("manage_password", "true")
	b.allow("umask", `"0022"`)
	b.allow("cgroups_mode", `"enabled"`)
	b.allow("seccomp_policy", `"default"`)
	b.allow("image_volume_mode", `"anonymous"`)
	b.allow("share_parent", "true")
	// volatile (podman sends it with --rm) only skips syncing the
	// container's storage: berth syncs it anyway, which nobody sees.
	b.allow("volatile", "true", "false")
	b.allow("exit_policy", `"continue"`)
	// podman 5 always sends where and how much healthcheck log to keep;
	// without a healthconfig (refused) they do nothing.
	delete(b, "healthLogDestination")
	delete(b, "healthMaxLogCount")
	delete(b, "healthMaxLogSize")
	delete(b, "raw_image_name") // the name as typed: "image" holds it too
	var ann map[string]string
	if err := b.take("annotations", &ann); err != nil {
		return err
	}
	for k := range ann {
		if k != "io.kubernetes.cri-o.TTY" {
			return badRequest(fmt.Errorf("annotations (%s) are not supported by berth", k))
		}
	}
	// The identity mapping (no user namespace) is the only one berth has.
	var idm struct {
		HostUIDMapping, HostGIDMapping bool
		UIDMap, GIDMap                 []any
		AutoUserNs                     bool
	}
	if _, ok := b["idmappings"]; ok {
		if err := b.take("idmappings", &idm); err != nil {
			return err
		}
		if len(idm.UIDMap) > 0 || len(idm.GIDMap) > 0 || idm.AutoUserNs {
			return badRequest(fmt.Errorf("idmappings are not supported by berth"))
		}
	}
	return nil
}

// mapKeys are the keys of any string-keyed map, sorted.
func mapKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
