package generate

import (
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/cgroups"
	"github.com/berth-dev/berth/spec"
)

// A rootless container's cgroups on a cgroup v2 host: below the delegated
// subtree with the delegated controllers' limits only, or none at all
// where nothing is delegated. The delegation itself is detected in
// internal/cgroups (its tests fake the v2 tree); here it is given.
func TestRootlessCgroupsV2(t *testing.T) {
	const svc = "/user.slice/user-1000.slice/user@1000.service"
	two := int64(2)
	s := spec.ContainerSpec{Image: "img", Memory: 64 << 20, NanoCPUs: 1e9, PidsLimit: &two, CpusetCPUs: "0"}

	host := testHost()
	host.Rootless, host.CgroupV2 = true, true
	d := &cgroups.Delegation{Path: svc, Controllers: []string{"memory", "pids"}}
	host.RootlessCgroup, host.DefaultCgroupParent = d, d.Parent()
	var warnings []string
	host.Warn = func(m string) { warnings = append(warnings, m) }
	g, _, err := gen(t, &s, testImage(), host)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(g.Linux.CgroupsPath, svc+"/berth/berth-") {
		t.Errorf("cgroups path %q, want below %s/berth", g.Linux.CgroupsPath, svc)
	}
	r := g.Linux.Resources
	if r == nil || r.Memory == nil || *r.Memory.Limit != 64<<20 || r.Pids == nil || r.Pids.Limit == nil || *r.Pids.Limit != 2 {
		t.Fatalf("delegated memory and pids limits must stay: %+v", r)
	}
	if r.CPU != nil && (r.CPU.Quota != nil || r.CPU.Cpus != "") {
		t.Errorf("cpu and cpuset are not delegated, their limits must go: %+v", r.CPU)
	}
	if len(r.Devices) != 0 {
		t.Errorf("device rules must go rootless: %+v", r.Devices)
	}
	if len(warnings) != 2 || !strings.Contains(warnings[0], "cpu controller") || !strings.Contains(warnings[1], "cpuset controller") {
		t.Errorf("warnings: %q", warnings)
	}

	// Nothing delegated: no cgroups, one warning naming the reason.
	host.RootlessCgroup, host.DefaultCgroupParent, warnings = nil, "", nil
	g, _, err = gen(t, &s, testImage(), host)
	if err != nil {
		t.Fatal(err)
	}
	if g.Linux.CgroupsPath != "" || g.Linux.Resources != nil {
		t.Errorf("no delegation: want no cgroup, got %q %+v", g.Linux.CgroupsPath, g.Linux.Resources)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "no cgroup v2 subtree is delegated") {
		t.Errorf("warnings: %q", warnings)
	}

	// No limits asked for: no warning, and the default pids limit goes
	// silently where pids is not delegated.
	host.RootlessCgroup = &cgroups.Delegation{Path: svc, Controllers: []string{"memory"}}
	host.DefaultCgroupParent, warnings = host.RootlessCgroup.Parent(), nil
	g, _, err = gen(t, &spec.ContainerSpec{Image: "img"}, testImage(), host)
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 0 || (g.Linux.Resources != nil && g.Linux.Resources.Pids != nil) {
		t.Errorf("default limits: warnings %q, pids %+v", warnings, g.Linux.Resources.Pids)
	}
}
