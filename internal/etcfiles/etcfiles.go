// Package etcfiles renders the /etc/hosts, /etc/resolv.conf and
// /etc/hostname files the engine bind-mounts into a container. The
// functions are pure: callers read the host or image files and write the
// results, so the rules (docker's and podman's) are unit-testable.
package etcfiles

import (
	"bufio"
	"bytes"
	"net/netip"
	"os"
	"strings"
)

// defaultHosts is the loopback block docker writes when the image brings
// no /etc/hosts of its own.
var defaultHosts = []hostsEntry{
	{"127.0.0.1", "localhost"},
	{"::1", "localhost ip6-localhost ip6-loopback"},
	{"fe00::0", "ip6-localnet"},
	{"ff00::0", "ip6-mcastprefix"},
	{"ff02::1", "ip6-allnodes"},
	{"ff02::2", "ip6-allrouters"},
}

type hostsEntry struct{ ip, names string }

// Hosts renders a container's /etc/hosts. base is the image's /etc/hosts
// (nil or empty: docker's default loopback block is used); its lines are
// kept as they are, and localhost entries are added only if it has none.
// extra holds --add-host entries ("name:ip" or "name=ip"; an IPv6 address
// may follow the first colon); malformed entries are skipped, since
// spec.ValidateAddHost rejects them at create time. Each container IP
// (plain or CIDR form) maps to hostname.
func Hosts(hostname string, ips []string, extra []string, base []byte) []byte {
	var b bytes.Buffer
	if len(bytes.TrimSpace(base)) == 0 {
		for _, e := range defaultHosts {
			b.WriteString(e.ip + "\t" + e.names + "\n")
		}
	} else {
		b.Write(base)
		if base[len(base)-1] != '\n' {
			b.WriteByte('\n')
		}
		v4, v6 := hasLocalhost(base)
		if !v4 {
			b.WriteString("127.0.0.1\tlocalhost\n")
		}
		if !v6 {
			b.WriteString("::1\tlocalhost ip6-localhost ip6-loopback\n")
		}
	}
	for _, e := range extra {
		name, ip, ok := SplitAddHost(e)
		if !ok {
			continue
		}
		b.WriteString(ip + "\t" + name + "\n")
	}
	if hostname != "" {
		for _, ip := range ips {
			addr, ok := parseAddr(ip)
			if !ok {
				continue
			}
			b.WriteString(addr.String() + "\t" + hostname + "\n")
		}
	}
	return b.Bytes()
}

// SplitAddHost splits an --add-host value into name and IP. Docker accepts
// "name:ip" and "name=ip"; the IP may be IPv6 (so only the first separator
// counts) and may be wrapped in brackets. "host-gateway" is accepted as
// the IP for the caller to replace.
func SplitAddHost(s string) (name, ip string, ok bool) {
	i := strings.IndexAny(s, ":=")
	if i <= 0 {
		return "", "", false
	}
	name, ip = s[:i], strings.TrimSuffix(strings.TrimPrefix(s[i+1:], "["), "]")
	if strings.ContainsAny(name, " \t") {
		return "", "", false
	}
	if ip == "host-gateway" {
		return name, ip, true
	}
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return "", "", false
	}
	return name, addr.String(), true
}

// hasLocalhost reports whether hosts maps "localhost" for IPv4 and IPv6.
func hasLocalhost(hosts []byte) (v4, v6 bool) {
	sc := bufio.NewScanner(bytes.NewReader(hosts))
	for sc.Scan() {
		f := strings.Fields(stripComment(sc.Text()))
		if len(f) < 2 {
			continue
		}
		addr, err := netip.ParseAddr(f[0])
		if err != nil || !addr.IsLoopback() {
			continue
		}
		for _, n := range f[1:] {
			if n == "localhost" {
				if addr.Is4() {
					v4 = true
				} else {
					v6 = true
				}
			}
		}
	}
	return v4, v6
}

// ResolvConf renders a container's /etc/resolv.conf. Each of servers,
// search and options, when given, replaces the host's; otherwise the
// host's values are kept. Loopback nameservers of the host are dropped,
// since they are unreachable from a container's network namespace; if none
// remain the list stays empty (no public fallback: such hosts are often
// offline). A search list of just "." clears the search domains, as in
// docker.
func ResolvConf(hostResolv []byte, servers, search, options []string) []byte {
	hServers, hSearch, hOptions := parseResolv(hostResolv)
	if len(servers) == 0 {
		for _, s := range hServers {
			if addr, err := netip.ParseAddr(s); err == nil && addr.IsLoopback() {
				continue
			}
			servers = append(servers, s)
		}
	}
	if len(search) == 0 {
		search = hSearch
	} else if len(search) == 1 && search[0] == "." {
		search = nil
	}
	if len(options) == 0 {
		options = hOptions
	}
	var b bytes.Buffer
	if len(search) > 0 {
		b.WriteString("search " + strings.Join(search, " ") + "\n")
	}
	for _, s := range servers {
		b.WriteString("nameserver " + s + "\n")
	}
	if len(options) > 0 {
		b.WriteString("options " + strings.Join(options, " ") + "\n")
	}
	return b.Bytes()
}

// Nameservers returns the nameserver addresses of a resolv.conf.
func Nameservers(resolv []byte) []string {
	s, _, _ := parseResolv(resolv)
	return s
}

// systemdResolvConf is where systemd-resolved keeps the real upstream
// servers when /etc/resolv.conf points at its 127.0.0.53 stub.
const systemdResolvConf = "/run/systemd/resolve/resolv.conf"

// HostResolvPath returns the host resolv.conf a container should start
// from: /etc/resolv.conf, or systemd-resolved's upstream file when
// /etc/resolv.conf only names the 127.0.0.53 stub (as podman does).
func HostResolvPath() string {
	const etc = "/etc/resolv.conf"
	data, err := os.ReadFile(etc)
	if err != nil {
		return etc
	}
	ns := Nameservers(data)
	if len(ns) == 1 && ns[0] == "127.0.0.53" {
		if _, err := os.Stat(systemdResolvConf); err == nil {
			return systemdResolvConf
		}
	}
	return etc
}

// parseResolv extracts nameservers, the search list (the last
// search/domain line wins, as in glibc) and options.
func parseResolv(data []byte) (servers, search, options []string) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexAny(line, "#;"); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "nameserver":
			if len(f) > 1 {
				servers = append(servers, f[1])
			}
		case "search", "domain":
			search = append([]string(nil), f[1:]...)
		case "options":
			options = append(options, f[1:]...)
		}
	}
	return servers, search, options
}

// HostnameFile renders /etc/hostname.
func HostnameFile(h string) []byte {
	return []byte(h + "\n")
}

func stripComment(s string) string {
	if i := strings.IndexByte(s, '#'); i >= 0 {
		return s[:i]
	}
	return s
}

// parseAddr accepts "10.88.0.2" and "10.88.0.2/16".
func parseAddr(s string) (netip.Addr, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Addr(), true
	}
	a, err := netip.ParseAddr(s)
	return a, err == nil
}
