package e2e

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// A root deleted by hand (its containers stopped, then rm -rf) leaves its
// bridge, keep-alive link and firewall rules on the host; the next berth
// command of another root that touches the host's networks removes them,
// and nothing of a live root.
func TestNetworkDeletedRootReaped(t *testing.T) {
	t.Parallel()
	gone, live, other := nwBusybox(t), nwBusybox(t), NewEnv(t)

	gone.MustBerth(t, "run", "--rm", "busybox", "true")
	bridge := gone.MustBerth(t, "network", "inspect", "--format", "{{.NetworkInterface}}", "berth")
	subnet := gone.MustBerth(t, "network", "inspect", "--format", "{{range .Subnets}}{{.Subnet}}{{end}}", "berth")
	const liveSubnet = "10.231.41.0/24"
	live.MustBerth(t, "network", "create", "--subnet", liveSubnet, "nwreaplive")
	live.MustBerth(t, "run", "--rm", "--network", "nwreaplive", "busybox", "true")
	liveBridge := live.MustBerth(t, "network", "inspect", "--format", "{{.NetworkInterface}}", "nwreaplive")
	for _, l := range []string{bridge, bridge + "-k", liveBridge, liveBridge + "-k"} {
		if !linkExists(l) {
			t.Fatalf("%s missing before the root is deleted", l)
		}
	}
	if len(nwRulesMentioning(subnet)) == 0 {
		t.Fatalf("no firewall rules for %s before the root is deleted", subnet)
	}
	// The --rm container's veth leaves the bridge once the kernel has
	// destroyed its namespace; the user deletes the root after that.
	for deadline := time.Now().Add(nwTimeout); !slices.Equal(nwBridgePorts(bridge), []string{bridge + "-k"}); {
		if time.Now().After(deadline) {
			t.Fatalf("bridge %s ports %v, want only its keep-alive", bridge, nwBridgePorts(bridge))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := forceClean(gone.Root); err != nil {
		t.Fatal(err)
	}

	// Any networking command of another root: here it creates a network.
	other.MustBerth(t, "network", "create", "--subnet", "10.231.42.0/24", "nwreapother")
	if linkExists(bridge) || linkExists(bridge+"-k") {
		t.Errorf("bridge %s present %v, keep-alive present %v after another root's network create", bridge, linkExists(bridge), linkExists(bridge+"-k"))
	}
	if rules := nwRulesMentioning(subnet); len(rules) > 0 {
		t.Errorf("firewall rules of the deleted root left: %v", rules)
	}
	if data, err := os.ReadFile("/run/berth-networks.json"); err == nil && strings.Contains(string(data), gone.Root+"/") {
		t.Errorf("the registry still names the deleted root: %s", data)
	}
	// The live root's network is untouched.
	if !linkExists(liveBridge) || !linkExists(liveBridge+"-k") {
		t.Errorf("the live root's bridge %s or keep-alive is gone", liveBridge)
	}
	if len(nwRulesMentioning(liveSubnet)) == 0 {
		t.Errorf("the live root's firewall rules for %s are gone", liveSubnet)
	}
	live.MustBerth(t, "run", "--rm", "--network", "nwreaplive", "busybox", "true")
}
