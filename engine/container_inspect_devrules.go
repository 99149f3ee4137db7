package engine

import (
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// inspectDeviceRules recovers the --device-cgroup-rule rules from a
// stored spec: the allow rules of the device cgroup that are not the
// rule of an added --device node, written as the user gives them
// ("c 10:* rwm"). Never nil, as docker prints [] for none.
func inspectDeviceRules(l *specs.Linux) []string {
	rules := []string{}
	node := func(r specs.LinuxDeviceCgroup) bool {
		for _, d := range l.Devices {
			if r.Major != nil && r.Minor != nil && d.Type == r.Type && d.Major == *r.Major && d.Minor == *r.Minor {
				return true
			}
		}
		return false
	}
	num := func(n *int64) string {
		if n == nil {
			return "*"
		}
		return strconv.FormatInt(*n, 10)
	}
	for _, r := range l.Resources.Devices {
		if !r.Allow || node(r) || (r.Type == "" || r.Type == "a") && r.Major == nil && r.Minor == nil && r.Access == "rwm" {
			continue // the default deny, a --device node, --privileged's allow-all
		}
		typ := r.Type
		if typ == "" {
			typ = "a"
		}
		rules = append(rules, typ+" "+num(r.Major)+":"+num(r.Minor)+" "+r.Access)
	}
	return rules
}
