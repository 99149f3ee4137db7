package e2e

import (
	"strings"
	"testing"
)

// TestRunIP6: --ip6 gives the container that IPv6 address on its one
// network, next to its IPv4 one; an IPv4 value and a network mode without
// a bridge are refused before anything is created.
func TestRunIP6(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "network", "create", "--ipv6", "--subnet", "10.254.61.0/24", "--subnet", "fd54:254:61::/64", "p7ip6")
	got := env.MustBerth(t, "run", "--rm", "--network", "p7ip6", "--ip6", "fd54:254:61::42", "busybox", "ip", "-6", "addr", "show", "eth0")
	if !strings.Contains(got, "inet6 fd54:254:61::42/64") {
		t.Errorf("--ip6 address not on eth0:\n%s", got)
	}
	got = env.MustBerth(t, "run", "--rm", "--network", "p7ip6", "--ip", "10.254.61.9", "--ip6", "fd54:254:61::43", "busybox", "ip", "addr", "show", "eth0")
	if !strings.Contains(got, "inet 10.254.61.9/24") || !strings.Contains(got, "inet6 fd54:254:61::43/64") {
		t.Errorf("--ip with --ip6:\n%s", got)
	}
	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"--network", "p7ip6", "--ip6", "10.254.61.5"}, `--ip6 "10.254.61.5": not an IPv6 address`},
		{[]string{"--network", "p7ip6", "--ip6", "nonsense"}, `--ip6 "nonsense": not an IPv6 address`},
		{[]string{"--network", "host", "--ip6", "fd54:254:61::5"}, "cannot be used with --network host"},
	} {
		r := env.Berth(append(append([]string{"create"}, bad.args...), "busybox", "true")...)
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), bad.want) {
			t.Errorf("create %v: %s", bad.args, r)
		}
	}
	if got := env.MustBerth(t, "ps", "-aq"); got != "" {
		t.Errorf("containers left by bad input: %q", got)
	}
}
