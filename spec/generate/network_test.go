package generate

import (
	"errors"
	"reflect"
	"testing"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/spec"
)

// TestPortMappings: a mapping without a host port becomes one per
// container port (random host ports are picked one by one); one with a
// host port keeps its range; 0.0.0.0 is every address.
func TestPortMappings(t *testing.T) {
	pm := func(ip string, host, ctr uint16, proto string, rng uint16) define.PortMapping {
		return define.PortMapping{HostIP: ip, HostPort: host, ContainerPort: ctr, Protocol: proto, Range: rng}
	}
	got, err := portMappings([]spec.PortMapping{
		{ContainerPort: 90, Range: 2},
		{HostPort: 8000, ContainerPort: 9000, Range: 11, Protocol: "udp"},
		{HostIP: "0.0.0.0", HostPort: 8080, ContainerPort: 80},
		{HostIP: "[::1]", HostPort: 8081, ContainerPort: 80, Protocol: "sctp"},
	})
	want := []define.PortMapping{
		pm("", 0, 90, "tcp", 0), pm("", 0, 91, "tcp", 0),
		pm("", 8000, 9000, "udp", 11),
		pm("", 8080, 80, "tcp", 0),
		pm("::1", 8081, 80, "sctp", 0),
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("portMappings = %+v, %v\nwant %+v", got, err, want)
	}
}

func TestPerNetworkOptions(t *testing.T) {
	s := &spec.ContainerSpec{Network: []string{"a:ip=10.1.0.5,alias=x,alias=y,mac=02:00:00:00:00:01", "b"}}
	mode, nets, err := NetworkMode(s.Network)
	if err != nil {
		t.Fatal(err)
	}
	got, err := perNetworkOptions(s, mode, nets)
	want := map[string]define.PerNetworkOptions{"a": {StaticIPs: []string{"10.1.0.5"}, Aliases: []string{"x", "y"}, StaticMAC: "02:00:00:00:00:01"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("perNetworkOptions = %+v, %v", got, err)
	}
	s = &spec.ContainerSpec{Network: []string{"a"}, IP: "10.1.0.6", NetworkAlias: []string{"z"}}
	got, err = perNetworkOptions(s, "bridge", []string{"a"})
	if err != nil || got["a"].StaticIPs[0] != "10.1.0.6" || got["a"].Aliases[0] != "z" {
		t.Errorf("--ip/--network-alias = %+v, %v", got, err)
	}
	for _, bad := range []*spec.ContainerSpec{
		{Network: []string{"a", "b"}, IP: "10.1.0.6"},
		{IP: "nope"},
		{MacAddress: "zz"},
		{NetworkAlias: []string{"x"}}, // default network: no DNS
		{Network: []string{"host"}, IP: "10.1.0.6"},
		{Network: []string{"a:color=red"}},
	} {
		mode, nets, _ := NetworkMode(bad.Network)
		if _, err := perNetworkOptions(bad, mode, nets); !errors.Is(err, define.ErrInvalidArg) {
			t.Errorf("perNetworkOptions(%+v) = %v, want invalid argument", bad, err)
		}
	}
}
