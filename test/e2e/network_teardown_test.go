package e2e

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// nwBridgePorts lists the interfaces enslaved to bridge.
func nwBridgePorts(bridge string) []string {
	ents, _ := os.ReadDir(filepath.Join("/sys/class/net", bridge, "brif"))
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// TestNetworkFastTeardown: a container with nothing but a veth on a kept
// bridge loses it when its namespace goes (no netavark at exit), addresses
// go round the subnet instead of reusing the one just freed, and a
// namespace another container still uses is torn down by netavark.
func TestNetworkFastTeardown(t *testing.T) {
	t.Parallel()
	env := nwBusybox(t)
	env.MustBerth(t, "network", "create", "--disable-dns", "--subnet", "10.97.31.0/29", "nwfast")
	bridge := env.MustBerth(t, "network", "inspect", "--format", "{{.NetworkInterface}}", "nwfast")
	onlyKeepAlive := func() bool {
		p := nwBridgePorts(bridge)
		return len(p) == 1 && p[0] == bridge+"-k"
	}
	var ips []netip.Addr
	for i := 0; i < 6; i++ {
		out := env.MustBerth(t, "run", "--rm", "--network", "nwfast", "busybox", "sh", "-c", "ip -4 -o addr show eth0")
		f := strings.Fields(out)
		if len(f) < 4 {
			t.Fatalf("ip addr: %q", out)
		}
		a, err := netip.ParsePrefix(f[3])
		if err != nil {
			t.Fatalf("ip addr: %q: %v", out, err)
		}
		ips = append(ips, a.Addr())
		WaitFor(t, 10*time.Second, onlyKeepAlive)
	}
	// 10.97.31.0/29 leases .2 to .6 (.1 is the gateway): round the range,
	// then from the start again.
	want := "10.97.31.2 10.97.31.3 10.97.31.4 10.97.31.5 10.97.31.6 10.97.31.2"
	var got []string
	for _, a := range ips {
		got = append(got, a.String())
	}
	if strings.Join(got, " ") != want {
		t.Errorf("addresses of six runs: %v, want %s", got, want)
	}

	// b joins a's namespace; when a stops, netavark must delete a's veth
	// even though the namespace lives on in b.
	env.MustBerth(t, "run", "-d", "--name", "a", "--network", "nwfast", "busybox", "sleep", "1000")
	env.MustBerth(t, "run", "-d", "--name", "b", "--network", "container:a", "busybox", "sleep", "1000")
	if onlyKeepAlive() {
		t.Fatalf("bridge %s has no veth for a running container: %v", bridge, nwBridgePorts(bridge))
	}
	env.MustBerth(t, "stop", "-t", "0", "a")
	if !onlyKeepAlive() {
		t.Errorf("after a stopped (b still in its namespace), bridge %s still has %v", bridge, nwBridgePorts(bridge))
	}
	env.MustBerth(t, "rm", "-f", "-t", "0", "b", "a")
	env.MustBerth(t, "network", "rm", "nwfast")
}
