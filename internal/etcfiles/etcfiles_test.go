package etcfiles

import (
	"os"
	"path/filepath"
	"testing"
)

func TestHosts(t *testing.T) {
	defaults := "127.0.0.1\tlocalhost\n" +
		"::1\tlocalhost ip6-localhost ip6-loopback\n" +
		"fe00::0\tip6-localnet\n" +
		"ff00::0\tip6-mcastprefix\n" +
		"ff02::1\tip6-allnodes\n" +
		"ff02::2\tip6-allrouters\n"
	tests := []struct {
		name     string
		hostname string
		ips      []string
		extra    []string
		base     string
		want     string
	}{
		{name: "defaults only", want: defaults},
		{
			name: "container ips cidr and plain", hostname: "abcdef123456",
			ips:  []string{"10.88.0.2/16", "fd00::2/64", "bogus"},
			want: defaults + "10.88.0.2\tabcdef123456\nfd00::2\tabcdef123456\n",
		},
		{
			name: "add-host before container ip", hostname: "web",
			ips:   []string{"10.88.0.5"},
			extra: []string{"db:10.0.0.9", "v6:fd00::1", "eq=1.2.3.4", "br:[::1]", "broken", ":1.2.3.4", "bad:notanip"},
			want:  defaults + "10.0.0.9\tdb\nfd00::1\tv6\n1.2.3.4\teq\n::1\tbr\n10.88.0.5\tweb\n",
		},
		{
			name: "image base with localhost kept", base: "127.0.0.1 localhost myimg\n::1 localhost\n",
			want: "127.0.0.1 localhost myimg\n::1 localhost\n",
		},
		{
			name: "image base without localhost gets it", base: "10.1.1.1 internal",
			hostname: "h", ips: []string{"10.88.0.3"},
			want: "10.1.1.1 internal\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n10.88.0.3\th\n",
		},
		{
			name: "commented localhost does not count", base: "# 127.0.0.1 localhost\n",
			want: "# 127.0.0.1 localhost\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n",
		},
		{name: "no hostname no ip lines", ips: []string{"10.88.0.2"}, want: defaults},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var base []byte
			if tt.base != "" {
				base = []byte(tt.base)
			}
			got := string(Hosts(tt.hostname, tt.ips, tt.extra, base))
			if got != tt.want {
				t.Errorf("Hosts() =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestSplitAddHost(t *testing.T) {
	tests := []struct {
		in       string
		name, ip string
		ok       bool
	}{
		{"a:1.2.3.4", "a", "1.2.3.4", true},
		{"a=1.2.3.4", "a", "1.2.3.4", true},
		{"a:2001:db8::1", "a", "2001:db8::1", true},
		{"a:[2001:db8::1]", "a", "2001:db8::1", true},
		{"gw:host-gateway", "gw", "host-gateway", true},
		{"a", "", "", false},
		{"a:", "", "", false},
		{":1.2.3.4", "", "", false},
		{"a b:1.2.3.4", "", "", false},
		{"a:300.1.1.1", "", "", false},
	}
	for _, tt := range tests {
		name, ip, ok := SplitAddHost(tt.in)
		if name != tt.name || ip != tt.ip || ok != tt.ok {
			t.Errorf("SplitAddHost(%q) = %q, %q, %v; want %q, %q, %v", tt.in, name, ip, ok, tt.name, tt.ip, tt.ok)
		}
	}
}

func TestResolvConf(t *testing.T) {
	host := "# generated\ndomain corp.example\nsearch a.example b.example\nnameserver 127.0.0.53\nnameserver 10.0.0.1 ; comment\nnameserver ::1\nnameserver fd00::53\noptions ndots:2\noptions edns0\n"
	tests := []struct {
		name                     string
		host                     string
		servers, search, options []string
		want                     string
	}{
		{
			name: "host values without loopback",
			host: host,
			want: "search a.example b.example\nnameserver 10.0.0.1\nnameserver fd00::53\noptions ndots:2 edns0\n",
		},
		{
			name: "only loopback leaves empty list",
			host: "nameserver 127.0.0.1\nnameserver 127.0.1.1\n",
			want: "",
		},
		{
			name:    "flags replace host values",
			host:    host,
			servers: []string{"1.1.1.1"}, search: []string{"x.example"}, options: []string{"ndots:5"},
			want: "search x.example\nnameserver 1.1.1.1\noptions ndots:5\n",
		},
		{
			name: "user loopback server is kept", host: host,
			servers: []string{"127.0.0.1"},
			want:    "search a.example b.example\nnameserver 127.0.0.1\noptions ndots:2 edns0\n",
		},
		{
			name: "dot clears search", host: host, search: []string{"."},
			want: "nameserver 10.0.0.1\nnameserver fd00::53\noptions ndots:2 edns0\n",
		},
		{name: "empty host", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(ResolvConf([]byte(tt.host), tt.servers, tt.search, tt.options))
			if got != tt.want {
				t.Errorf("ResolvConf() =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestHostnameFile(t *testing.T) {
	if got := string(HostnameFile("abc")); got != "abc\n" {
		t.Errorf("HostnameFile(abc) = %q, want %q", got, "abc\n")
	}
}

func TestHostResolvPath(t *testing.T) {
	// Only checks that the result is one of the two candidates and
	// readable; the host decides which.
	p := HostResolvPath()
	if p != "/etc/resolv.conf" && p != systemdResolvConf {
		t.Fatalf("HostResolvPath() = %q", p)
	}
	if _, err := os.Stat(filepath.Clean(p)); err != nil && p != "/etc/resolv.conf" {
		t.Errorf("HostResolvPath() = %q, not readable: %v", p, err)
	}
}
