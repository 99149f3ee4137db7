package network

import (
	"context"
	"errors"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine/define"
)

func TestFreeSubnet(t *testing.T) {
	used := []netip.Prefix{
		netip.MustParsePrefix("10.90.0.0/24"),
		netip.MustParsePrefix("10.90.1.128/25"),
		netip.MustParsePrefix("0.0.0.0/0"), // never passed: defaults are skipped
	}
	got, ok := freeSubnet(v4Pool, 24, used[:2])
	if !ok || got.String() != "10.90.2.0/24" {
		t.Errorf("freeSubnet = %v %v, want 10.90.2.0/24", got, ok)
	}
	if _, ok := freeSubnet(netip.MustParsePrefix("10.90.0.0/24"), 24, used[:1]); ok {
		t.Error("freeSubnet found room in a full pool")
	}
	got, ok = freeSubnet(v6Pool, 64, nil)
	if !ok || got.String() != "fd90:b::/64" {
		t.Errorf("freeSubnet v6 = %v %v", got, ok)
	}
}

func TestLastAddrAndRange(t *testing.T) {
	if got := lastAddr(netip.MustParsePrefix("10.1.2.0/23")); got.String() != "10.1.3.255" {
		t.Errorf("lastAddr = %v", got)
	}
	r, err := ParseIPRange("10.1.2.128/25")
	if err != nil || r.StartIP != "10.1.2.129" || r.EndIP != "10.1.2.254" {
		t.Errorf("ParseIPRange CIDR = %+v, %v", r, err)
	}
	r, err = ParseIPRange("10.1.2.10-10.1.2.20")
	if err != nil || r.StartIP != "10.1.2.10" || r.EndIP != "10.1.2.20" {
		t.Errorf("ParseIPRange START-END = %+v, %v", r, err)
	}
	for _, bad := range []string{"x", "10.1.2.20-10.1.2.10", "10.1.2.0"} {
		if _, err := ParseIPRange(bad); !errors.Is(err, define.ErrInvalidArg) {
			t.Errorf("ParseIPRange(%q) = %v, want invalid argument", bad, err)
		}
	}
}

func TestValidateSubnets(t *testing.T) {
	n := define.Network{Subnets: []define.Subnet{{Subnet: "10.5.0.7/24"}, {Subnet: "fd00:5::/64"}}}
	if err := validateSubnets(&n); err != nil {
		t.Fatal(err)
	}
	if n.Subnets[0].Subnet != "10.5.0.0/24" || n.Subnets[0].Gateway != "10.5.0.1" || !n.IPv6Enabled {
		t.Errorf("validateSubnets filled %+v", n)
	}
	for _, bad := range [][]define.Subnet{
		{{Subnet: "10.5.0.0/31"}},
		{{Subnet: "10.5.0.0/24", Gateway: "10.6.0.1"}},
		{{Subnet: "10.5.0.0/24", Gateway: "10.5.0.255"}},
		{{Subnet: "10.5.0.0/24"}, {Subnet: "10.5.0.128/25"}},
		{{Subnet: "10.5.0.0/24", LeaseRange: &define.LeaseRange{StartIP: "10.6.0.1"}}},
	} {
		n := define.Network{Subnets: bad}
		if err := validateSubnets(&n); !errors.Is(err, define.ErrInvalidArg) {
			t.Errorf("validateSubnets(%+v) = %v, want invalid argument", bad, err)
		}
	}
}

func TestAllocateIPs(t *testing.T) {
	n := define.Network{Name: "n", Subnets: []define.Subnet{
		{Subnet: "10.7.0.0/29", Gateway: "10.7.0.1"},
		{Subnet: "fd07::/120", Gateway: "fd07::1"},
	}}
	recs := map[string]*record{
		"other": {Options: netavarkOptions{Networks: map[string]define.PerNetworkOptions{"n": {StaticIPs: []string{"10.7.0.2", "10.7.0.4"}}}}},
		"self":  {Options: netavarkOptions{Networks: map[string]define.PerNetworkOptions{"n": {StaticIPs: []string{"10.7.0.3"}}}}},
	}
	got, err := allocateIPs(n, nil, recs, "self", map[string]string{})
	if err != nil || len(got) != 2 || got[0] != "10.7.0.3" || got[1] != "fd07::2" {
		t.Errorf("allocateIPs = %v, %v; want 10.7.0.3 (own old address is free) and fd07::2", got, err)
	}
	if _, err := allocateIPs(n, []string{"10.7.0.4"}, recs, "self", map[string]string{}); !errors.Is(err, define.ErrIPInUse) {
		t.Errorf("taken static IP: %v", err)
	}
	for _, bad := range []string{"10.7.0.1", "10.7.0.7", "10.7.0.0", "10.8.0.2"} {
		if _, err := allocateIPs(n, []string{bad}, recs, "self", map[string]string{}); !errors.Is(err, define.ErrInvalidArg) {
			t.Errorf("static IP %s: %v, want invalid argument", bad, err)
		}
	}
	full := map[string]*record{"x": {Options: netavarkOptions{Networks: map[string]define.PerNetworkOptions{"n": {StaticIPs: []string{"10.7.0.2", "10.7.0.3", "10.7.0.4", "10.7.0.5", "10.7.0.6"}}}}}}
	if _, err := allocateIPs(n, nil, full, "self", map[string]string{}); !errors.Is(err, define.ErrIPInUse) {
		t.Errorf("full subnet: %v", err)
	}
	ranged := define.Network{Name: "n", Subnets: []define.Subnet{{Subnet: "10.7.0.0/24", Gateway: "10.7.0.1", LeaseRange: &define.LeaseRange{StartIP: "10.7.0.100", EndIP: "10.7.0.110"}}}}
	if got, err := allocateIPs(ranged, nil, nil, "self", map[string]string{}); err != nil || got[0] != "10.7.0.100" {
		t.Errorf("lease range: %v, %v", got, err)
	}
	// Round the range: after the last one handed out, wrapping to the start.
	last := map[string]string{}
	var seq []string
	for i := 0; i < 5; i++ {
		got, err := allocateIPs(n, nil, recs, "self", last)
		if err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
		seq = append(seq, got[0], got[1])
	}
	want := []string{"10.7.0.3", "fd07::2", "10.7.0.5", "fd07::3", "10.7.0.6", "fd07::4", "10.7.0.3", "fd07::5", "10.7.0.5", "fd07::6"}
	if strings.Join(seq, " ") != strings.Join(want, " ") {
		t.Errorf("round robin: %v, want %v", seq, want)
	}
	if last["10.7.0.0/29"] != "10.7.0.5" {
		t.Errorf("last = %v", last)
	}
	// A cursor outside the range (the lease range changed) starts over.
	if got, err := allocateIPs(ranged, nil, nil, "self", map[string]string{"10.7.0.0/24": "10.7.0.200"}); err != nil || got[0] != "10.7.0.100" {
		t.Errorf("stale cursor: %v, %v", got, err)
	}
}

func TestNormalize(t *testing.T) {
	n := define.Network{Name: "x", DNSEnabled: true}
	if err := normalize(&n, "/nonexistent/aardvark"); err != nil {
		t.Fatal(err)
	}
	if n.Driver != "bridge" || len(n.ID) != 64 || n.Options["isolate"] != "true" || n.IPAMOptions["driver"] != "host-local" || n.DNSEnabled {
		t.Errorf("normalize = %+v (DNS must be off without aardvark-dns)", n)
	}
	for _, bad := range []define.Network{
		{Name: "x", Driver: "macvlan"},
		{Name: "x", Options: map[string]string{"mtu": "big"}},
		{Name: "x", Options: map[string]string{"color": "red"}},
		{Name: "x", NetworkInterface: "much-too-long-name0"},
	} {
		if err := normalize(&bad, ""); !errors.Is(err, define.ErrInvalidArg) {
			t.Errorf("normalize(%+v) = %v, want invalid argument", bad, err)
		}
	}
}

func TestParseStatus(t *testing.T) {
	out := []byte(`{"n":{"dns_search_domains":["dns.podman"],"dns_server_ips":["10.1.0.1"],"interfaces":{"eth0":{"mac_address":"aa:bb:cc:dd:ee:ff","subnets":[{"gateway":"fd01::1","ipnet":"fd01::2/64"},{"gateway":"10.1.0.1","ipnet":"10.1.0.2/24"}]}}}}`)
	res, err := parseStatus(out, netavarkOptions{Networks: map[string]define.PerNetworkOptions{"n": {Aliases: []string{"a"}}}})
	if err != nil {
		t.Fatal(err)
	}
	r := res["n"]
	if r.Interface != "eth0" || r.MacAddress != "aa:bb:cc:dd:ee:ff" || r.Gateway != "10.1.0.1" || r.IPs[0] != "10.1.0.2/24" || r.DNSServers[0] != "10.1.0.1" || r.Aliases[0] != "a" {
		t.Errorf("parseStatus = %+v", r)
	}
	if msg := netavarkError([]byte(`{"error":"IO error: x"}`), []byte("failed to connect to syslog\n")); msg != "IO error: x" {
		t.Errorf("netavarkError = %q", msg)
	}
}

func TestDefinitionsAndRegistry(t *testing.T) {
	dir := t.TempDir()
	m := New(Config{
		DefinitionsDir: filepath.Join(dir, "defs"),
		StateDir:       filepath.Join(dir, "state"),
		RunDir:         filepath.Join(dir, "run"),
		RegistryPath:   filepath.Join(dir, "registry.json"),
	})
	a, err := m.Create(define.Network{Name: "a", Subnets: []define.Subnet{{Subnet: "10.250.1.0/24"}}}, CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Create(define.Network{Name: "a"}, CreateOptions{}); !errors.Is(err, define.ErrNetworkExists) {
		t.Errorf("duplicate name: %v", err)
	}
	if got, err := m.Create(define.Network{Name: "a"}, CreateOptions{IgnoreExisting: true}); err != nil || got.ID != a.ID {
		t.Errorf("--ignore: %v %v", got.ID, err)
	}
	if _, err := m.Create(define.Network{Name: "b", Subnets: []define.Subnet{{Subnet: "10.250.1.128/25"}}}, CreateOptions{}); !errors.Is(err, define.ErrNetworkExists) {
		t.Errorf("overlapping subnet: %v", err)
	}
	// A second root with its own registry view sees the first's subnet
	// and bridge through the shared registry.
	m2 := New(Config{DefinitionsDir: filepath.Join(dir, "defs2"), StateDir: filepath.Join(dir, "state2"), RegistryPath: m.cfg.RegistryPath})
	b, err := m2.Create(define.Network{Name: "a"}, CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if b.NetworkInterface == a.NetworkInterface {
		t.Errorf("two roots got the same bridge %s", a.NetworkInterface)
	}
	if _, err := m2.Create(define.Network{Name: "c", Subnets: []define.Subnet{{Subnet: "10.250.1.0/24"}}}, CreateOptions{}); !errors.Is(err, define.ErrNetworkExists) {
		t.Errorf("another root's subnet: %v", err)
	}
	if got, err := m.Inspect(a.ID[:10]); err != nil || got.Name != "a" {
		t.Errorf("Inspect by ID prefix: %v %v", got.Name, err)
	}
	if err := m.Remove(context.Background(), "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Inspect("a"); !errors.Is(err, define.ErrNoSuchNetwork) {
		t.Errorf("after Remove: %v", err)
	}
	// Its subnet is free again for the other root.
	if _, err := m2.Create(define.Network{Name: "c", Subnets: []define.Subnet{{Subnet: "10.250.1.0/24"}}}, CreateOptions{}); err != nil {
		t.Errorf("subnet of a removed network: %v", err)
	}
	list, err := m2.List()
	if err != nil || len(list) != 2 || list[0].Name != "a" || list[1].Name != "c" {
		t.Errorf("List = %v, %v", list, err)
	}
}
