package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Subnets 10.242.0.0/16 are this file's and globals_test.go's.

func TestNetworkUpdateDNS(t *testing.T) {
	env := paNewBusybox(t)
	env.MustBerth(t, "network", "create", "--subnet", "10.242.10.0/24", "--dns", "9.9.9.9", "glupd")
	defer env.Berth("network", "rm", "-f", "glupd")
	dns := func() string {
		return env.MustBerth(t, "network", "inspect", "--format", "{{.NetworkDNSServers}}", "glupd")
	}
	if got := dns(); got != "[9.9.9.9]" {
		t.Errorf("created with --dns: %s", got)
	}
	if got := env.MustBerth(t, "network", "update", "glupd", "--dns-add", "1.1.1.1,8.8.8.8", "--dns-drop", "9.9.9.9"); got != "glupd" {
		t.Errorf("network update printed %q", got)
	}
	if got := dns(); got != "[1.1.1.1 8.8.8.8]" {
		t.Errorf("after update: %s", got)
	}
	// A running container's aardvark-dns gets the change at once.
	env.MustBerth(t, "run", "-d", "--name", "onupd", "--network", "glupd", "busybox", "sleep", "1000")
	defer env.Berth("rm", "-f", "-t", "0", "onupd")
	env.MustBerth(t, "network", "update", "glupd", "--dns-drop", "8.8.8.8", "--dns-add", "9.9.9.9")
	if got := dns(); got != "[1.1.1.1 9.9.9.9]" {
		t.Errorf("after live update: %s", got)
	}
	if data, err := os.ReadFile(filepath.Join(env.RunRoot, "berth", "netavark", "aardvark-dns", "glupd")); err == nil {
		first, _, _ := strings.Cut(string(data), "\n")
		if !strings.Contains(first, "9.9.9.9") || strings.Contains(first, "8.8.8.8") {
			t.Errorf("aardvark config first line %q", first)
		}
	}
	// Bad input: podman's messages, nothing changed.
	paExpectError(t, env.Berth("network", "update", "glupd", "--dns-add", "bad"), 125, "unable to parse ip bad specified in AddDNSServer: invalid argument")
	paExpectError(t, env.Berth("network", "update", "glupd", "--dns-drop", "1.2.3"), 125, "unable to parse ip 1.2.3 specified in RemoveDNSServer")
	paExpectError(t, env.Berth("network", "update", "nosuchnet", "--dns-add", "1.1.1.1"), 125, "unable to find network with name or ID nosuchnet: network not found")
	paExpectError(t, env.Berth("network", "update"), 125, "accepts 1 arg(s), received 0")
	if got := dns(); got != "[1.1.1.1 9.9.9.9]" {
		t.Errorf("after failed updates: %s", got)
	}
	paExpectError(t, env.Berth("network", "create", "--disable-dns", "--dns", "1.1.1.1", "--subnet", "10.242.11.0/24", "glnodns"), 125,
		"cannot set NetworkDNSServers if DNS is not enabled for the network")
	paExpectError(t, env.Berth("network", "create", "--dns", "1.1", "--subnet", "10.242.11.0/24", "glnodns"), 125, "unable to parse ip 1.1 specified in --dns")
	if r := env.Berth("network", "exists", "glnodns"); r.ExitCode() != 1 {
		t.Errorf("a refused network exists: %s", r)
	}
}

func TestNetworkDockerOptions(t *testing.T) {
	env := NewEnv(t)
	env.MustBerth(t, "network", "create", "-o", "com.docker.network.bridge.name=glbr42", "-o", "com.docker.network.driver.mtu=1400",
		"--subnet", "10.242.12.0/24", "gldock")
	defer env.Berth("network", "rm", "-f", "gldock")
	if got := env.MustBerth(t, "network", "inspect", "--format", "{{.NetworkInterface}} {{.Options.mtu}}", "gldock"); got != "glbr42 1400" {
		t.Errorf("docker options mapped to %q, want \"glbr42 1400\"", got)
	}
	// Docker's other bridge options are refused as podman refuses them.
	paExpectError(t, env.Berth("network", "create", "-o", "com.docker.network.bridge.enable_icc=true", "--subnet", "10.242.13.0/24", "glicc"), 125,
		"unsupported bridge network option com.docker.network.bridge.enable_icc: invalid argument")
	if r := env.Berth("network", "exists", "glicc"); r.ExitCode() != 1 {
		t.Errorf("a refused network exists: %s", r)
	}
}
