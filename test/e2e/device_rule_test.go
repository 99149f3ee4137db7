package e2e

import (
	"os"
	"strings"
	"testing"
)

// TestDeviceCgroupRule: a node made with mknod can be opened only when a
// --device-cgroup-rule allows its numbers (the default device cgroup
// denies everything but runc's standard devices); inspect shows the rule;
// bad rules and --cgroup-conf on a cgroup v1 host are refused with one
// line, exit 125, and no container.
func TestDeviceCgroupRule(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/dev/loop-control"); err != nil {
		t.Skip("no /dev/loop-control on this host")
	}
	env := paNewBusybox(t)
	// /dev/loop-control (10:237) opens without a capability and is not
	// one of runc's standard devices: only the device cgroup stands in
	// the way.
	script := "mknod /tmp/lc c 10 237 && exec 3<>/tmp/lc && echo opened"
	r := env.Berth("run", "--rm", "--cap-add", "MKNOD", "busybox", "sh", "-c", script)
	if r.ExitCode() == 0 || strings.Contains(r.Stdout(), "opened") {
		t.Fatalf("loop-control opened without a device cgroup rule:\n%s", r)
	}
	out := env.MustBerth(t, "run", "--rm", "--cap-add", "MKNOD", "--device-cgroup-rule", "c 10:237 rw", "busybox", "sh", "-c", script)
	if out != "opened" {
		t.Errorf("with the rule: %q", out)
	}
	env.MustBerth(t, "create", "--name", "ruled", "--device-cgroup-rule", "c 10:* rwm", "busybox", "true")
	got := paInspect(t, env, "ruled", "{{json .HostConfig.DeviceCgroupRules}}")
	if got != `["c 10:* rwm"]` {
		t.Errorf("inspect DeviceCgroupRules = %s", got)
	}

	for _, tc := range []struct{ flag, val, want string }{
		{"--device-cgroup-rule", "c 10:200", `invalid device cgroup rule "c 10:200"`},
		{"--device-cgroup-rule", "x 10:200 rw", `type "x" must be a, b or c`},
		{"--device-cgroup-rule", "c 10:z rw", `minor "z" must be a number or *`},
		{"--device-cgroup-rule", "c 10:200 rwx", `access "rwx"`},
		{"--cgroup-conf", "memory.high", "--cgroup-conf=memory.high must be formatted KEY=VALUE"},
	} {
		r := env.Berth("create", "--name", "bad", tc.flag, tc.val, "busybox", "true")
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), tc.want) || len(strings.Split(strings.TrimSpace(r.Stderr()), "\n")) != 1 {
			t.Errorf("%s %q:\n%s", tc.flag, tc.val, r)
		}
	}
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err != nil {
		r := env.Berth("create", "--name", "bad", "--cgroup-conf", "memory.high=1073741824", "busybox", "true")
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "this host uses cgroup v1") {
			t.Errorf("--cgroup-conf on cgroup v1:\n%s", r)
		}
	}
	if got := paPsNames(t, env); len(got) != 1 {
		t.Errorf("containers after the refusals: %v, want only ruled", got)
	}
}

// TestDeviceCgroupRuleAPI: docker's HostConfig.DeviceCgroupRules and
// libpod's device_cgroup_rule reach the container (the node opens); a bad
// rule is a 400 that creates nothing; libpod's resource_limits.unified is
// --cgroup-conf, refused on a cgroup v1 host.
func TestDeviceCgroupRuleAPI(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/dev/loop-control"); err != nil {
		t.Skip("no /dev/loop-control on this host")
	}
	env := paNewBusybox(t)
	uri := apiService(t, env)
	script := `["sh","-c","mknod /tmp/lc c 10 237 && exec 3<>/tmp/lc && echo opened"]`
	if code, body := apiStatus(t, uri, "POST", "/containers/create?name=docker",
		`{"Image":"busybox","Cmd":`+script+`,"HostConfig":{"CapAdd":["MKNOD"],"DeviceCgroupRules":["c 10:237 rw"]}}`); code != 201 {
		t.Fatalf("docker create: %d %s", code, body)
	}
	if code, body := apiStatus(t, uri, "POST", "/libpod/containers/create",
		`{"name":"libpod","image":"busybox","command":`+script+`,"cap_add":["MKNOD"],
		"device_cgroup_rule":[{"allow":true,"type":"c","major":10,"minor":237,"access":"rw"}]}`); code != 201 {
		t.Fatalf("libpod create: %d %s", code, body)
	}
	for _, name := range []string{"docker", "libpod"} {
		if out := env.MustBerth(t, "start", "--attach", name); out != "opened" {
			t.Errorf("%s: %q", name, out)
		}
		if got := paInspect(t, env, name, "{{json .HostConfig.DeviceCgroupRules}}"); got != `["c 10:237 rw"]` {
			t.Errorf("%s: inspect DeviceCgroupRules = %s", name, got)
		}
	}
	for _, tc := range []struct{ path, body, want string }{
		{"/containers/create?name=bad", `{"Image":"busybox","HostConfig":{"DeviceCgroupRules":["c 10 rw"]}}`, "invalid device cgroup rule"},
		{"/libpod/containers/create", `{"name":"bad","image":"busybox","device_cgroup_rule":[{"allow":true,"type":"q","access":"rw"}]}`, "must be a, b or c"},
	} {
		if code, body := apiStatus(t, uri, "POST", tc.path, tc.body); code != 400 || !strings.Contains(body, tc.want) {
			t.Errorf("POST %s %s: %d %s", tc.path, tc.body, code, body)
		}
	}
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err != nil {
		code, body := apiStatus(t, uri, "POST", "/libpod/containers/create",
			`{"name":"bad","image":"busybox","resource_limits":{"unified":{"memory.high":"1073741824"}}}`)
		if code != 400 || !strings.Contains(body, "this host uses cgroup v1") {
			t.Errorf("libpod create with unified on cgroup v1: %d %s", code, body)
		}
	}
	if got := paPsNames(t, env); len(got) != 2 {
		t.Errorf("containers after the refusals: %v", got)
	}
}
