package e2e

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A bridge network keeps its bridge and network-wide firewall rules from
// its first container until `network rm` (or `system reset`), so that a
// short-lived container's run does not add and delete them every time.

func linkExists(name string) bool {
	_, err := net.InterfaceByName(name)
	return err == nil
}

func TestNetworkKeepsBridgeUntilRemoved(t *testing.T) {
	t.Parallel()
	env := nwBusybox(t)
	const subnet = "10.231.13.0/24"
	env.MustBerth(t, "network", "create", "--subnet", subnet, "nwkeep")
	bridge := env.MustBerth(t, "network", "inspect", "--format", "{{.NetworkInterface}}", "nwkeep")
	if linkExists(bridge) {
		t.Fatalf("bridge %s exists before any container", bridge)
	}
	out := env.MustBerth(t, "run", "--rm", "--network", "nwkeep", "busybox", "ip", "-o", "-4", "addr", "show", "eth0")
	if !strings.Contains(out, "10.231.13.") {
		t.Fatalf("container address: %q", out)
	}
	keep := bridge + "-k"
	if !linkExists(bridge) || !linkExists(keep) {
		t.Fatalf("after the container: bridge %s present %v, keep-alive %s present %v", bridge, linkExists(bridge), keep, linkExists(keep))
	}
	if master, _ := os.Readlink(filepath.Join("/sys/class/net", keep, "master")); filepath.Base(master) != bridge {
		t.Errorf("keep-alive %s enslaved to %q, want %s", keep, master, bridge)
	}
	if rules := nwRulesMentioning(subnet); len(rules) == 0 {
		t.Errorf("no firewall rule for %s kept", subnet)
	}
	for _, r := range nwRulesMentioning("10.231.13.") {
		if !strings.Contains(r, subnet) {
			t.Errorf("a rule of the removed container is left: %s", r)
		}
	}

	// Rules flushed while the network is idle come back with its next
	// container.
	masq := ""
	for _, r := range nwRulesMentioning(subnet) {
		if strings.HasPrefix(r, "-A POSTROUTING ") {
			masq = r
		}
	}
	if masq == "" {
		t.Fatalf("no POSTROUTING rule for %s: %v", subnet, nwRulesMentioning(subnet))
	}
	del := append([]string{"-t", "nat", "-D"}, strings.Fields(strings.TrimPrefix(masq, "-A "))...)
	if out, err := exec.Command("iptables", del...).CombinedOutput(); err != nil {
		t.Fatalf("iptables %v: %v\n%s", del, err, out)
	}
	env.MustBerth(t, "run", "--rm", "--network", "nwkeep", "busybox", "true")
	found := false
	for _, r := range nwRulesMentioning(subnet) {
		found = found || r == masq
	}
	if !found {
		t.Errorf("POSTROUTING rule %q not restored by the next container", masq)
	}

	env.MustBerth(t, "network", "rm", "nwkeep")
	if linkExists(bridge) || linkExists(keep) {
		t.Errorf("after network rm: bridge %s present %v, keep-alive present %v", bridge, linkExists(bridge), linkExists(keep))
	}
	if rules := nwRulesMentioning("10.231.13."); len(rules) > 0 {
		t.Errorf("firewall rules left after network rm: %v", rules)
	}
}

func TestSystemReset(t *testing.T) {
	t.Parallel()
	env := nwBusybox(t)
	env.MustBerth(t, "run", "-d", "--name", "busy", "busybox", "sleep", "1000")
	env.MustBerth(t, "network", "create", "--subnet", "10.231.14.0/24", "nwreset")
	env.MustBerth(t, "run", "--rm", "--network", "nwreset", "busybox", "true")
	bridges := []string{
		env.MustBerth(t, "network", "inspect", "--format", "{{.NetworkInterface}}", "bridge"),
		env.MustBerth(t, "network", "inspect", "--format", "{{.NetworkInterface}}", "nwreset"),
	}
	for _, b := range bridges {
		if !linkExists(b) || !linkExists(b+"-k") {
			t.Fatalf("bridge %s or its keep-alive missing before the reset", b)
		}
	}

	// Not confirmed: nothing changes.
	r := env.BerthStdin(strings.NewReader("n\n"), "system", "reset")
	if r.ExitCode() != 0 || !strings.Contains(r.Stdout(), "Are you sure you want to continue? [y/N]") {
		t.Fatalf("system reset answered no:\n%s", r)
	}
	if got := env.MustBerth(t, "ps", "-q"); got == "" {
		t.Fatal("the running container is gone after a reset that was not confirmed")
	}

	env.MustBerth(t, "system", "reset", "--force")
	for _, b := range bridges {
		if linkExists(b) || linkExists(b+"-k") {
			t.Errorf("bridge %s or its keep-alive left after the reset", b)
		}
	}
	if rules := nwRulesMentioning("10.231.14."); len(rules) > 0 {
		t.Errorf("firewall rules left after the reset: %v", rules)
	}
	for _, d := range []string{env.Root, env.RunRoot} {
		if _, err := os.Stat(d); !os.IsNotExist(err) {
			t.Errorf("%s still exists after the reset: %v", d, err)
		}
	}
	// The root starts afresh.
	if got := env.MustBerth(t, "ps", "-aq"); got != "" {
		t.Errorf("ps -aq after reset = %q", got)
	}
	if got := env.MustBerth(t, "images", "-q"); got != "" {
		t.Errorf("images -q after reset = %q", got)
	}
}
