package generate

import (
	"errors"
	"reflect"
	"testing"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/spec"
)

func TestParsePublish(t *testing.T) {
	pm := func(ip string, host, ctr uint16, proto string, rng uint16) define.PortMapping {
		return define.PortMapping{HostIP: ip, HostPort: host, ContainerPort: ctr, Protocol: proto, Range: rng}
	}
	for _, c := range []struct {
		in   string
		want []define.PortMapping
	}{
		{"80", []define.PortMapping{pm("", 0, 80, "tcp", 0)}},
		{"8080:80", []define.PortMapping{pm("", 8080, 80, "tcp", 0)}},
		{"127.0.0.1:8080:80", []define.PortMapping{pm("127.0.0.1", 8080, 80, "tcp", 0)}},
		{"0.0.0.0:8080:80", []define.PortMapping{pm("", 8080, 80, "tcp", 0)}},
		{"127.0.0.1::80", []define.PortMapping{pm("127.0.0.1", 0, 80, "tcp", 0)}},
		{"8080:80/udp", []define.PortMapping{pm("", 8080, 80, "udp", 0)}},
		{"8080:80/tcp,udp", []define.PortMapping{pm("", 8080, 80, "tcp", 0), pm("", 8080, 80, "udp", 0)}},
		{"8000-8010:9000-9010", []define.PortMapping{pm("", 8000, 9000, "tcp", 11)}},
		{"90-91", []define.PortMapping{pm("", 0, 90, "tcp", 0), pm("", 0, 91, "tcp", 0)}},
		{"[::1]:8080:80", []define.PortMapping{pm("::1", 8080, 80, "tcp", 0)}},
	} {
		got, err := ParsePublish(c.in)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParsePublish(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "x", "0", "70000", "1:2:3:4", "8000-8001:80", "80/icmp", "1.2.3:80:80", "[::1:80:80", "65535-65536"} {
		if _, err := ParsePublish(bad); !errors.Is(err, define.ErrInvalidArg) {
			t.Errorf("ParsePublish(%q) = %v, want invalid argument", bad, err)
		}
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
