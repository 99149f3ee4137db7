package e2e

import (
	"net"
	"os/exec"
	"strings"
	"testing"
)

// vlanParent makes a veth pair to be a macvlan/ipvlan parent (the kernel
// may lack the dummy driver) and deletes it when the test ends: nothing
// leaves this machine.
func vlanParent(t *testing.T, name string) {
	t.Helper()
	if out, err := exec.Command("ip", "link", "add", name, "type", "veth", "peer", "name", name+"p").CombinedOutput(); err != nil {
		t.Skipf("cannot create a veth pair: %v: %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("ip", "link", "del", name).Run() })
	for _, l := range []string{name, name + "p"} {
		if out, err := exec.Command("ip", "link", "set", l, "up").CombinedOutput(); err != nil {
			t.Fatalf("ip link set %s up: %v: %s", l, err, out)
		}
	}
}

func TestNetworkMacvlan(t *testing.T) {
	env := paNewBusybox(t)
	vlanParent(t, "glmv0")
	env.MustBerth(t, "network", "create", "-d", "macvlan", "-o", "parent=glmv0", "-o", "mode=bridge",
		"--subnet", "10.242.20.0/24", "--ip-range", "10.242.20.128/25", "glmac")
	defer env.Berth("network", "rm", "-f", "glmac")
	if got := env.MustBerth(t, "network", "inspect", "--format", "{{.Driver}} {{.NetworkInterface}} {{.Options.mode}} {{.DNSEnabled}}", "glmac"); got != "macvlan glmv0 bridge false" {
		t.Errorf("inspect = %q", got)
	}
	env.MustBerth(t, "run", "-d", "--name", "mv1", "--network", "glmac", "--ip", "10.242.20.130", "busybox", "sleep", "1000")
	defer env.Berth("rm", "-f", "-t", "0", "mv1")
	// Siblings on one parent reach each other in bridge mode; the
	// address comes from the range.
	out := env.MustBerth(t, "run", "--rm", "--network", "glmac", "--cap-add", "NET_RAW", "busybox", "sh", "-c", "ip -4 -o addr show eth0; ping -c1 -W2 10.242.20.130 >/dev/null && echo reached")
	if !strings.Contains(out, "10.242.20.") || !strings.HasSuffix(out, "reached") {
		t.Errorf("second container: %q", out)
	}
	if f := strings.Fields(out); len(f) > 3 {
		ip, _, _ := strings.Cut(f[3], "/")
		if a := net.ParseIP(ip).To4(); a == nil || a[3] < 128 {
			t.Errorf("address %s is outside --ip-range 10.242.20.128/25", ip)
		}
	}
	env.MustBerth(t, "rm", "-f", "-t", "0", "mv1")
	env.MustBerth(t, "network", "rm", "glmac")
	// The parent is the host's link, not the network's: it stays.
	if _, err := net.InterfaceByName("glmv0"); err != nil {
		t.Errorf("network rm removed the parent: %v", err)
	}
}

func TestNetworkIpvlanAndBadDrivers(t *testing.T) {
	env := paNewBusybox(t)
	vlanParent(t, "glmv2")
	env.MustBerth(t, "network", "create", "-d", "ipvlan", "--interface-name", "glmv2", "-o", "mode=l2", "--subnet", "10.242.22.0/24", "glipv")
	if got := env.MustBerth(t, "network", "inspect", "--format", "{{.Driver}} {{.NetworkInterface}} {{.Options.mode}}", "glipv"); got != "ipvlan glmv2 l2" {
		t.Errorf("inspect = %q", got)
	}
	// netavark runs ipvlan from 1.6 on; an older one says so, and the
	// failed run leaves nothing.
	r := env.Berth("run", "--rm", "--network", "glipv", "--ip", "10.242.22.7", "busybox", "ip", "-4", "-o", "addr", "show", "eth0")
	switch {
	case r.ExitCode() == 0 && strings.Contains(r.Stdout(), "10.242.22.7/24"):
	case r.ExitCode() == 125 && strings.Contains(r.Stderr(), "unknown network driver ipvlan"):
		paExpectNoContainers(t, env)
	default:
		t.Errorf("container on ipvlan: %s", r)
	}
	env.MustBerth(t, "network", "rm", "glipv")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-d", "macvlan", "-o", "parent=glnosuch0", "--subnet", "10.242.23.0/24"}, "parent interface glnosuch0 does not exist: invalid argument"},
		{[]string{"-d", "macvlan", "-o", "parent=glmv2", "-o", "mode=l2", "--subnet", "10.242.23.0/24"}, `unknown macvlan mode "l2": invalid argument`},
		{[]string{"-d", "ipvlan", "-o", "parent=glmv2", "-o", "mode=vepa", "--subnet", "10.242.23.0/24"}, `unknown ipvlan mode "vepa": invalid argument`},
		{[]string{"-d", "macvlan", "-o", "parent=glmv2", "-o", "isolate=true", "--subnet", "10.242.23.0/24"}, "unsupported macvlan network option isolate: invalid argument"},
		{[]string{"-d", "macvlan", "-o", "parent=glmv2"}, "needs a --subnet"},
		{[]string{"-d", "overlay", "--subnet", "10.242.23.0/24"}, "unsupported driver overlay: invalid argument"},
	} {
		paExpectError(t, env.Berth(append(append([]string{"network", "create"}, tc.args...), "glbad")...), 125, tc.want)
	}
	if r := env.Berth("network", "exists", "glbad"); r.ExitCode() != 1 {
		t.Errorf("a refused network exists: %s", r)
	}
}
