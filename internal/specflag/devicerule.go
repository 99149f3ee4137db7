package specflag

import (
	"strconv"
	"strings"

	"github.com/berth-dev/berth/spec"
)

// DeviceCgroupRule parses --device-cgroup-rule "TYPE MAJOR:MINOR ACCESS"
// (docker's and podman's form, the kernel's devices.allow syntax): TYPE
// a, b or c; MAJOR and MINOR numbers or *; ACCESS of r, w and m.
func DeviceCgroupRule(v string) (spec.DeviceCgroupRule, error) {
	fields := strings.Split(v, " ")
	if len(fields) != 3 {
		return spec.DeviceCgroupRule{}, invalid("invalid device cgroup rule %q: must be TYPE MAJOR:MINOR ACCESS, as in 'c 1:3 rwm'", v)
	}
	r := spec.DeviceCgroupRule{Type: fields[0], Access: fields[2]}
	if r.Type != "a" && r.Type != "b" && r.Type != "c" {
		return spec.DeviceCgroupRule{}, invalid("invalid device cgroup rule %q: type %q must be a, b or c", v, r.Type)
	}
	major, minor, ok := strings.Cut(fields[1], ":")
	if !ok {
		return spec.DeviceCgroupRule{}, invalid("invalid device cgroup rule %q: %q must be MAJOR:MINOR", v, fields[1])
	}
	for _, n := range []struct {
		name, s string
		dst     **int64
	}{{"major", major, &r.Major}, {"minor", minor, &r.Minor}} {
		if n.s == "*" {
			continue
		}
		i, err := strconv.ParseInt(n.s, 10, 64)
		if err != nil || i < 0 {
			return spec.DeviceCgroupRule{}, invalid("invalid device cgroup rule %q: %s %q must be a number or *", v, n.name, n.s)
		}
		*n.dst = &i
	}
	if !IsDevicePermissions(r.Access) {
		return spec.DeviceCgroupRule{}, invalid("invalid device cgroup rule %q: access %q must be a combination of r, w and m", v, r.Access)
	}
	return r, nil
}

// CgroupConf parses --cgroup-conf KEY=VALUE values (podman's: a cgroup v2
// file name and what to write to it).
func CgroupConf(values []string) (map[string]string, error) {
	if len(values) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(values))
	for _, v := range values {
		k, val, ok := strings.Cut(v, "=")
		if !ok || k == "" {
			return nil, invalid("--cgroup-conf=%s must be formatted KEY=VALUE", v)
		}
		out[k] = val
	}
	return out, nil
}
