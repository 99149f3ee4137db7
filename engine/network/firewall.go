package network

import (
	"context"
	"os"
	"os/exec"
	"strings"

	"github.com/berth-dev/berth/engine/define"
)

// isolationChain is netavark's chain that drops traffic between isolated
// bridges; FORWARD must jump to it before anything accepts the traffic.
const isolationChain = "NETAVARK_ISOLATION_1"

// repairIsolation makes sure FORWARD jumps to the isolation chain while
// isolated networks remain. netavark (1.4) deletes its shared jump with the
// last container of any isolated network, which lifts the isolation of all
// the others until some setup adds it back. So berth keeps a jump of its
// own, told apart by a comment: netavark deletes rules by their exact
// spec and never touches it, so isolation never lapses, even while
// another berth root's teardown runs.
func repairIsolation(ctx context.Context, nets map[string]define.Network) {
	v4, v6 := false, false
	for _, n := range nets {
		if n.Options["isolate"] != "true" {
			continue
		}
		v4 = true
		v6 = v6 || n.IPv6Enabled
	}
	if v4 {
		ensureJump(ctx, "iptables")
	}
	if v6 {
		ensureJump(ctx, "ip6tables")
	}
}

// ensureIsolation is repairIsolation for a setup: it looks at the firewall
// only the first time on this boot (a marker on /run remembers), keeping
// the run path short. `network reload` and every teardown re-check.
func ensureIsolation(ctx context.Context, nets map[string]define.Network) {
	if _, err := os.Stat(isolationMarker); err == nil {
		return
	}
	repairIsolation(ctx, nets)
}

// isolationMarker says berth's own isolation jump was put in place.
const isolationMarker = "/run/berth-isolation-jump"

const berthJumpComment = "berth network isolation"

func ensureJump(ctx context.Context, tool string) {
	out, err := exec.CommandContext(ctx, tool, "-w", "-t", "filter", "-S", isolationChain).Output()
	if err != nil {
		return // no chain: nothing is isolated
	}
	if !strings.Contains(string(out), "-A "+isolationChain) {
		return // no isolated network left
	}
	rule := []string{"-m", "comment", "--comment", berthJumpComment, "-j", isolationChain}
	check := append([]string{"-w", "-t", "filter", "-C", "FORWARD"}, rule...)
	if exec.CommandContext(ctx, tool, check...).Run() != nil {
		insert := append([]string{"-w", "-t", "filter", "-I", "FORWARD", "1"}, rule...)
		if err := exec.CommandContext(ctx, tool, insert...).Run(); err != nil {
			return
		}
	}
	if tool == "iptables" {
		_ = os.WriteFile(isolationMarker, nil, 0o600)
	}
}
