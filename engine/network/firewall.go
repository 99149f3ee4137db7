package network

import (
	"context"
	"os/exec"
	"strings"

	"github.com/berth-dev/berth/engine/define"
)

// isolationChain is netavark's chain that drops traffic between isolated
// bridges; FORWARD must jump to it before anything accepts the traffic.
const isolationChain = "NETAVARK_ISOLATION_1"

// repairIsolation puts the FORWARD jump to the isolation chain back when
// isolated networks remain. netavark (1.4) deletes that shared jump with
// the last container of any isolated network, which silently lifts the
// isolation of all the others until some setup adds it again.
func repairIsolation(ctx context.Context, torn map[string]define.Network) {
	v4, v6 := false, false
	for _, n := range torn {
		if n.Options["isolate"] != "true" {
			continue
		}
		v4 = true
		v6 = v6 || n.IPv6Enabled
	}
	if v4 {
		repairJump(ctx, "iptables")
	}
	if v6 {
		repairJump(ctx, "ip6tables")
	}
}

func repairJump(ctx context.Context, tool string) {
	out, err := exec.CommandContext(ctx, tool, "-w", "-t", "filter", "-S", isolationChain).Output()
	if err != nil {
		return // no chain: nothing is isolated
	}
	if !strings.Contains(string(out), "-A "+isolationChain) {
		return // no isolated network left
	}
	if exec.CommandContext(ctx, tool, "-w", "-t", "filter", "-C", "FORWARD", "-j", isolationChain).Run() == nil {
		return
	}
	_ = exec.CommandContext(ctx, tool, "-w", "-t", "filter", "-I", "FORWARD", "1", "-j", isolationChain).Run()
}
