package network

import (
	"testing"

	"github.com/berth-dev/berth/engine/define"
)

func TestPlanReap(t *testing.T) {
	gone := registryEntry{Bridge: "berth7", Owner: "/gone/root/berth/networks/berth.json", ID: "abc"}
	// berth7 (index 10) with its keep-alive berth7-k (11) enslaved.
	base := []link{{name: "lo", index: 1}, {name: "berth7", index: 10}, {name: "berth7-k", index: 11, master: 10}, {name: "berth7-p", index: 12}}
	tests := []struct {
		name    string
		links   []link
		claimed map[string]bool
		want    reapAction
	}{
		{"bridge with keep-alive only", base, nil, reapRelease},
		{"claimed by a live network", base, map[string]bool{"berth7": true}, reapDrop},
		{"containers still attached", append(append([]link{}, base...), link{name: "veth1", index: 13, master: 10}), nil, reapKeep},
		{"no keep-alive: not provably berth's", []link{{name: "berth7", index: 10}}, nil, reapDrop},
		{"keep-alive on another bridge", []link{{name: "berth7", index: 10}, {name: "br9", index: 20}, {name: "berth7-k", index: 11, master: 20}}, nil, reapDrop},
		{"bridge gone, keep-alive left", []link{{name: "berth7-k", index: 11}, {name: "berth7-p", index: 12}}, nil, reapKeepAlive},
		{"nothing left", []link{{name: "lo", index: 1}}, nil, reapDrop},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := planReap(gone, tt.claimed, tt.links); got != tt.want {
				t.Errorf("planReap = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestRegistryEntryNetwork(t *testing.T) {
	// An entry of an older berth: rebuilt with berth's defaults.
	e := registryEntry{Bridge: "berth3", Subnets: []string{"10.90.3.0/24", "fd90:b:0:3::/64"}, Owner: "/r/berth/networks/web.json", ID: "id1"}
	n := e.network()
	if n.Name != "web" || n.ID != "id1" || n.NetworkInterface != "berth3" || n.Options["isolate"] != "true" || !n.IPv6Enabled || n.DNSEnabled {
		t.Errorf("rebuilt network %+v", n)
	}
	if len(n.Subnets) != 2 || n.Subnets[0].Gateway != "10.90.3.1" || n.Subnets[1].Gateway != "fd90:b:0:3::1" {
		t.Errorf("subnets %+v", n.Subnets)
	}
	// A snapshot is used as is, but without DNS.
	snap := define.Network{Name: "web", ID: "id1", NetworkInterface: "berth3", DNSEnabled: true, Options: map[string]string{"isolate": "false"}}
	e.Network = &snap
	if n := e.network(); n.DNSEnabled || n.Options["isolate"] != "false" || !snap.DNSEnabled {
		t.Errorf("from snapshot %+v (snapshot changed: %v)", n, !snap.DNSEnabled)
	}
}
