package specflag

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/spec"
)

type portRange struct{ start, n uint16 }

// parseRange parses "80" or "8000-8010".
func parseRange(s string) (portRange, bool) {
	a, b, isRange := strings.Cut(s, "-")
	lo, err := strconv.ParseUint(a, 10, 16)
	if err != nil || lo == 0 {
		return portRange{}, false
	}
	hi := lo
	if isRange {
		if hi, err = strconv.ParseUint(b, 10, 16); err != nil || hi < lo {
			return portRange{}, false
		}
	}
	return portRange{uint16(lo), uint16(hi - lo + 1)}, true
}

func parseProtocols(s string) ([]string, bool) {
	if s == "" {
		return []string{"tcp"}, true
	}
	var out []string
	for _, p := range strings.Split(s, ",") {
		switch p = strings.ToLower(p); p {
		case "tcp", "udp", "sctp":
			out = append(out, p)
		default:
			return nil, false
		}
	}
	return out, true
}

// Expose parses an --expose value: PORT[-END][/PROTO].
func Expose(s string) (spec.ExposedPort, error) {
	ports, proto, _ := strings.Cut(s, "/")
	r, ok := parseRange(ports)
	protos, pok := parseProtocols(proto)
	if !ok || !pok || len(protos) != 1 {
		return spec.ExposedPort{}, invalid("--expose %q: must be PORT[-END][/tcp|udp|sctp]", s)
	}
	e := spec.ExposedPort{Port: r.start, Protocol: protos[0]}
	if r.n > 1 {
		e.Range = r.n
	}
	return e, nil
}

// Publish parses one -p/--publish value in any of docker's forms: CPORT,
// HPORT:CPORT, IP:HPORT:CPORT, IP::CPORT, each port possibly a range and
// the container side possibly followed by /tcp, /udp, /sctp or a comma
// list of them (one mapping each).
func Publish(v string) ([]spec.PortMapping, error) {
	bad := func(why string) error {
		return invalid("-p %q: %s (forms: [[IP:][HOSTPORT]:]CONTAINERPORT[/PROTOCOL], ports may be ranges)", v, why)
	}
	body, proto, _ := strings.Cut(v, "/")
	protos, ok := parseProtocols(proto)
	if !ok {
		return nil, bad("unknown protocol " + proto)
	}
	var hostIP, hostPart, ctrPart string
	if strings.HasPrefix(body, "[") { // [v6]:HPORT:CPORT
		end := strings.Index(body, "]")
		if end < 0 || end+1 >= len(body) || body[end+1] != ':' {
			return nil, bad("unterminated IPv6 address")
		}
		hostIP = body[1:end]
		rest := body[end+2:]
		var found bool
		if hostPart, ctrPart, found = strings.Cut(rest, ":"); !found {
			return nil, bad("missing container port")
		}
	} else {
		parts := strings.Split(body, ":")
		switch len(parts) {
		case 1:
			ctrPart = parts[0]
		case 2:
			hostPart, ctrPart = parts[0], parts[1]
		case 3:
			hostIP, hostPart, ctrPart = parts[0], parts[1], parts[2]
		default:
			return nil, bad("too many colons")
		}
	}
	if hostIP != "" {
		a, err := netip.ParseAddr(hostIP)
		if err != nil {
			return nil, bad("host IP " + hostIP + " is not an IP address")
		}
		hostIP = a.String()
		if a.IsUnspecified() && a.Is4() {
			hostIP = ""
		}
	}
	ctr, ok := parseRange(ctrPart)
	if !ok {
		return nil, bad("invalid container port " + ctrPart)
	}
	var host portRange
	if hostPart != "" {
		if host, ok = parseRange(hostPart); !ok {
			return nil, bad("invalid host port " + hostPart)
		}
		if host.n != ctr.n {
			return nil, bad("host and container port ranges differ in length")
		}
	}
	if uint32(ctr.start)+uint32(ctr.n)-1 > 65535 || (host.n > 0 && uint32(host.start)+uint32(host.n)-1 > 65535) {
		return nil, bad("port out of range")
	}
	out := make([]spec.PortMapping, 0, len(protos))
	for _, p := range protos {
		m := spec.PortMapping{HostIP: hostIP, HostPort: host.start, ContainerPort: ctr.start, Protocol: p}
		if ctr.n > 1 {
			m.Range = ctr.n
		}
		out = append(out, m)
	}
	return out, nil
}
