package e2e

import (
	"testing"
)

// TestGroupAdd: --group-add groups, numeric or by name (from the image's
// /etc/group: root 0, daemon 1, wheel 10 with member berthuser,
// berthgroup 1000), come after the user's own groups, without duplicates.
// Behaviour checked against podman 4.3.
func TestGroupAdd(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--group-add", "1234"}, "0 1234"},
		{[]string{"--group-add", "berthgroup", "--group-add", "1234"}, "0 1000 1234"},
		{[]string{"--user", "berthuser", "--group-add", "wheel", "--group-add", "1234"}, "1000 10 1234"},
		// An explicit group keeps the added ones (podman), not the user's.
		{[]string{"--user", "berthuser:daemon", "--group-add", "1234"}, "1 1234"},
	}
	for _, tc := range cases {
		args := append(append([]string{"run", "--rm", "--network", "none"}, tc.args...), "busybox", "id", "-G")
		if got := env.MustBerth(t, args...); got != tc.want {
			t.Errorf("%v: id -G = %q, want %q", tc.args, got, tc.want)
		}
	}

	// exec without --user runs with the container's groups; with --user,
	// with that user's own (podman).
	env.MustBerth(t, "run", "-d", "--network", "none", "--name", "g", "--user", "daemon", "--group-add", "wheel", "--group-add", "1234", "busybox", "sleep", "1000")
	if got := env.MustBerth(t, "exec", "g", "id", "-G"); got != "1 10 1234" {
		t.Errorf("exec: id -G = %q, want \"1 10 1234\"", got)
	}
	if got := env.MustBerth(t, "exec", "--user", "berthuser", "g", "id", "-G"); got != "1000 10" {
		t.Errorf("exec --user berthuser: id -G = %q, want \"1000 10\"", got)
	}
	// A restart resolves the groups again and keeps them.
	env.MustBerth(t, "restart", "-t", "0", "g")
	if got := env.MustBerth(t, "exec", "g", "id", "-G"); got != "1 10 1234" {
		t.Errorf("exec after restart: id -G = %q, want \"1 10 1234\"", got)
	}
	env.MustBerth(t, "rm", "-f", "-t", "0", "g")

	// A name the image does not know fails at start, like an unknown user.
	paExpectError(t, env.Berth("run", "--rm", "--network", "none", "--group-add", "nosuchgroup", "busybox", "true"),
		126, "unable to find group nosuchgroup")
	// Bad values and keep-groups (a rootless crun feature) are refused at
	// create, and nothing is created.
	for _, g := range []string{"keep-groups", "a:b", "4294967296"} {
		paExpectError(t, env.Berth("create", "--group-add", g, "busybox"), 125, "--group-add")
	}
	paExpectNoContainers(t, env)
}

// TestInspectGroupAddCaps: inspect shows --group-add as given and the
// capabilities added to and dropped from the default set, as podman
// derives them from the bounding set; empty lists when there are none.
func TestInspectGroupAddCaps(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	const tmpl = "{{.HostConfig.CapAdd}} | {{.HostConfig.CapDrop}} | {{.HostConfig.GroupAdd}}"
	env.MustBerth(t, "create", "--name", "c", "--cap-add", "net_admin", "--cap-add", "CHOWN", "--cap-drop", "sys_chroot",
		"--group-add", "1234", "--group-add", "wheel", "busybox")
	if got, want := paInspect(t, env, "c", tmpl), "[CAP_NET_ADMIN] | [CAP_SYS_CHROOT] | [1234 wheel]"; got != want {
		t.Errorf("inspect = %q, want %q", got, want)
	}
	env.MustBerth(t, "create", "--name", "plain", "busybox")
	if got, want := paInspect(t, env, "plain", "{{json .HostConfig.CapAdd}} {{json .HostConfig.CapDrop}} {{json .HostConfig.GroupAdd}}"), "[] [] []"; got != want {
		t.Errorf("inspect of a plain container = %q, want %q", got, want)
	}
}
