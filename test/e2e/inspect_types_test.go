package e2e

import "testing"

// inspect finds networks and pods too: with --type, or without it as the
// first match in podman's order (container, image, volume, network, pod).
func TestInspectTypesNetworkPod(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.MustBerth(t, "pod", "create", "--name", "ipod")
	env.MustBerth(t, "network", "create", "--subnet", "10.239.14.0/24", "lcnet")
	if got := env.MustBerth(t, "inspect", "--type", "pod", "--format", "{{.Name}}", "ipod"); got != "ipod" {
		t.Errorf("inspect --type pod = %q", got)
	}
	if got := env.MustBerth(t, "inspect", "--format", "{{.Name}}", "ipod"); got != "ipod" {
		t.Errorf("inspect POD (no type) = %q", got)
	}
	if got := env.MustBerth(t, "inspect", "--type", "network", "--format", "{{.Name}}", "lcnet"); got != "lcnet" {
		t.Errorf("inspect --type network lcnet = %q", got)
	}
	if got := env.MustBerth(t, "inspect", "--format", "{{.Name}}", "lcnet"); got != "lcnet" {
		t.Errorf("inspect lcnet (no type) = %q", got)
	}
	paExpectError(t, env.Berth("inspect", "--type", "pod", "lcnet"), 125, "lcnet")
	paExpectError(t, env.Berth("inspect", "--type", "bogus", "x"), 125, `invalid --type "bogus"`)
	paExpectError(t, env.Berth("inspect", "nosuch"), 125, `no such object: "nosuch"`)
}
