package e2e

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// Network leak check. Each Env records its networks (bridge names and
// subnets, from the definitions under its root) when it is cleaned up;
// after the suite none of them may have a host interface, firewall rules
// (iptables, ip6tables, nftables) or network namespaces left. The host's
// state before the suite is kept so that only what appeared meanwhile
// counts, and only lines that name one of the suite's networks or
// containers: other users of the host (podman, another suite) may add
// their own rules at the same time.

// netSnapshot is the host's networking state at one moment.
type netSnapshot struct {
	links map[string]bool
	netns map[string]bool
	rules map[string]bool // iptables-save, ip6tables-save and nft lines
}

// netBefore is taken when the test binary starts, before any test runs.
var netBefore = takeNetSnapshot()

func takeNetSnapshot() netSnapshot {
	s := netSnapshot{links: map[string]bool{}, netns: map[string]bool{}, rules: map[string]bool{}}
	if ifs, err := net.Interfaces(); err == nil {
		for _, i := range ifs {
			s.links[i.Name] = true
		}
	}
	if out, err := exec.Command("ip", "netns", "list").Output(); err == nil {
		for _, l := range strings.Split(string(out), "\n") {
			if f := strings.Fields(l); len(f) > 0 {
				s.netns[f[0]] = true
			}
		}
	}
	for _, cmd := range [][]string{{"iptables-save"}, {"ip6tables-save"}, {"nft", "list", "ruleset"}} {
		out, err := exec.Command(cmd[0], cmd[1:]...).Output()
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(out), "\n") {
			if l = normalizeRule(l); l != "" {
				s.rules[l] = true
			}
		}
	}
	return s
}

// counters are the parts of a rule line that change by themselves.
var counters = regexp.MustCompile(`\[\d+:\d+\]|counter packets \d+ bytes \d+`)

func normalizeRule(l string) string {
	l = strings.TrimSpace(l)
	if l == "" || strings.HasPrefix(l, "#") {
		return ""
	}
	return counters.ReplaceAllString(l, "")
}

// suiteNetwork is one network some Env of the suite had.
type suiteNetwork struct {
	env, bridge string
	subnets     []string
}

var suiteNetworks struct {
	list []suiteNetwork
}

// recordNetworks remembers the Env's networks for the final check.
//
// Preconditions: roots.mu is not held.
func recordNetworks(e *Env) {
	files, _ := filepath.Glob(filepath.Join(e.Root, "berth", "networks", "*.json"))
	var found []suiteNetwork
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var n struct {
			Interface string `json:"network_interface"`
			Subnets   []struct {
				Subnet string `json:"subnet"`
			} `json:"subnets"`
		}
		if json.Unmarshal(data, &n) != nil {
			continue
		}
		sn := suiteNetwork{env: e.Dir, bridge: n.Interface}
		for _, s := range n.Subnets {
			sn.subnets = append(sn.subnets, s.Subnet)
		}
		found = append(found, sn)
	}
	roots.mu.Lock()
	suiteNetworks.list = append(suiteNetworks.list, found...)
	roots.mu.Unlock()
}

// networkLeaks compares the host with netBefore and reports what the
// suite's networks and containers left.
//
// Preconditions: roots.mu is held.
func networkLeaks(ctrIDs []string) []string {
	var leaks []string
	after := takeNetSnapshot()
	// Another Env of a later test (or another root) may reuse a bridge
	// name once its owner is gone; a leak is a bridge no current
	// network definition on this host claims.
	claimed := claimedBridges()
	for _, n := range suiteNetworks.list {
		if n.bridge != "" && after.links[n.bridge] && !netBefore.links[n.bridge] && !claimed[n.bridge] {
			leaks = append(leaks, fmt.Sprintf("%s: bridge %s left behind", n.env, n.bridge))
		}
		if keep := n.bridge + "-k"; n.bridge != "" && after.links[keep] && !netBefore.links[keep] && !claimed[n.bridge] {
			leaks = append(leaks, fmt.Sprintf("%s: keep-alive link %s left behind", n.env, keep))
		}
	}
	for ns := range after.netns {
		if !netBefore.netns[ns] && strings.Contains(ns, "berth") {
			leaks = append(leaks, fmt.Sprintf("network namespace %s left behind", ns))
		}
	}
	for rule := range after.rules {
		if netBefore.rules[rule] {
			continue
		}
		for _, n := range suiteNetworks.list {
			hit := ""
			for _, s := range n.subnets {
				if !claimed[s] && strings.Contains(rule, s) {
					hit = s
				}
			}
			if n.bridge != "" && !claimed[n.bridge] && regexp.MustCompile(`\b`+regexp.QuoteMeta(n.bridge)+`\b`).MatchString(rule) {
				hit = n.bridge
			}
			if hit != "" {
				leaks = append(leaks, fmt.Sprintf("%s: firewall rule for %s left behind: %s", n.env, hit, rule))
				break
			}
		}
		for _, id := range ctrIDs {
			if id != "" && strings.Contains(rule, id) {
				leaks = append(leaks, fmt.Sprintf("firewall rule of container %.12s left behind: %s", id, rule))
			}
		}
	}
	return leaks
}

// claimedBridges are the bridges and subnets of networks whose
// definitions still exist (roots outside the suite, on this host), from
// berth's registry.
func claimedBridges() map[string]bool {
	out := map[string]bool{}
	data, err := os.ReadFile("/run/berth-networks.json")
	if err != nil {
		return out
	}
	var entries []struct {
		Bridge  string   `json:"bridge"`
		Subnets []string `json:"subnets"`
		Owner   string   `json:"owner"`
	}
	if json.Unmarshal(data, &entries) != nil {
		return out
	}
	for _, e := range entries {
		if _, err := os.Stat(e.Owner); err == nil {
			out[e.Bridge] = true
			for _, s := range e.Subnets {
				out[s] = true
			}
		}
	}
	return out
}
