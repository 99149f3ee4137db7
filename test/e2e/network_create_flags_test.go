package e2e

import (
	"strings"
	"testing"
)

// TestNetworkCreateCompatFlags: the IPAM driver berth has, docker's
// local-scope flags accepted, and the rest refused without a network.
func TestNetworkCreateCompatFlags(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.MustBerth(t, "network", "create", "--ipam-driver", "host-local", "--attachable", "--scope", "local", "--ipv4",
		"--subnet", "10.250.5.0/24", "p6net")
	if got := env.MustBerth(t, "network", "inspect", "--format", "{{.IPAMOptions}}", "p6net"); !strings.Contains(got, "driver:host-local") {
		t.Errorf("ipam options %q", got)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--ipam-driver", "dhcp"}, "--ipam-driver dhcp is not supported"},
		{[]string{"--route", "10.250.9.0/24,10.250.6.1"}, "--route is not supported"},
		{[]string{"--aux-address", "host=10.250.6.5"}, "--aux-address is not supported"},
		{[]string{"--ipam-opt", "foo=bar"}, "--ipam-opt is not supported"},
		{[]string{"--ipv4=false"}, "--ipv4=false is not supported"},
		{[]string{"--scope", "swarm"}, "--scope swarm is not supported"},
		{[]string{"--config-only"}, "--config-only are not supported"},
		{[]string{"--ingress"}, "--ingress is not supported"},
	} {
		wantRefused(t, env.Berth(append(append([]string{"network", "create", "--subnet", "10.250.6.0/24"}, tc.args...), "p6bad")...), tc.want)
	}
	if r := env.Berth("network", "exists", "p6bad"); r.ExitCode() == 0 {
		t.Errorf("a refused network create made the network")
	}
}
