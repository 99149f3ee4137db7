package logsyslog

import (
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "log")
	l, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, tt := range []struct {
		name    string
		opts    map[string]string
		want    Config
		wantErr string
	}{
		{name: "udp with port", opts: map[string]string{"syslog-address": "udp://127.0.0.1:5514"}, want: Config{Network: "udp", Addr: "127.0.0.1:5514", Facility: 3}},
		{name: "tcp default port", opts: map[string]string{"syslog-address": "tcp://logs.example"}, want: Config{Network: "tcp", Addr: "logs.example:514", Facility: 3}},
		{name: "ipv6 default port", opts: map[string]string{"syslog-address": "udp://[::1]"}, want: Config{Network: "udp", Addr: "[::1]:514", Facility: 3}},
		{name: "unix socket", opts: map[string]string{"syslog-address": "unix://" + sock, "syslog-facility": "local7", "syslog-format": "rfc5424micro"},
			want: Config{Network: "unix", Addr: sock, Facility: 23, Format: "rfc5424micro"}},
		{name: "unixgram number", opts: map[string]string{"syslog-address": "unixgram://" + sock, "syslog-facility": "0"}, want: Config{Network: "unixgram", Addr: sock, Facility: 0}},
		{name: "missing socket", opts: map[string]string{"syslog-address": "unix://" + dir + "/none"}, wantErr: "no syslog socket at " + dir + "/none"},
		{name: "not a socket", opts: map[string]string{"syslog-address": "unix://" + dir}, wantErr: "no syslog socket at"},
		{name: "tls", opts: map[string]string{"syslog-address": "tcp+tls://h:1"}, wantErr: "syslog over TLS is not supported"},
		{name: "tls opt", opts: map[string]string{"syslog-tls-skip-verify": "true"}, wantErr: "syslog over TLS"},
		{name: "scheme", opts: map[string]string{"syslog-address": "ftp://h"}, wantErr: "unsupported scheme ftp"},
		{name: "no scheme", opts: map[string]string{"syslog-address": "logs.example"}, wantErr: "must be unix://PATH"},
		{name: "udp path", opts: map[string]string{"syslog-address": "udp://h:1/x"}, wantErr: "must be udp://HOST:PORT"},
		{name: "facility", opts: map[string]string{"syslog-address": "udp://h:1", "syslog-facility": "local8"}, wantErr: "unknown facility"},
		{name: "format", opts: map[string]string{"syslog-address": "udp://h:1", "syslog-format": "rfc5425"}, wantErr: "must be rfc3164, rfc5424 or rfc5424micro"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Parse = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
	// The default is the local socket.
	DefaultSocket = sock
	defer func() { DefaultSocket = "/dev/log" }()
	c, err := Parse(nil)
	if err != nil || c != (Config{Network: "unix", Addr: sock, Facility: 3}) {
		t.Fatalf("Parse(nil) = %+v, %v", c, err)
	}
	conn, err := c.Dial()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if conn.LocalAddr().Network() != "unixgram" {
		t.Errorf("dialed %s, want the datagram socket", conn.LocalAddr().Network())
	}
}

func TestFormat(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 891234000, time.UTC)
	for _, tt := range []struct{ format, want string }{
		{"", "<30>Mar  4 05:06:07 tag[42]: hello\n"},
		{"rfc3164", "<30>Mar  4 05:06:07 host tag[42]: hello\n"},
		{"rfc5424", "<30>1 2026-03-04T05:06:07Z host tag 42 tag - hello\n"},
		{"rfc5424micro", "<30>1 2026-03-04T05:06:07.891234Z host tag 42 tag - hello\n"},
	} {
		if got := Format(tt.format, 3<<3|6, now, "host", "tag", 42, "hello"); got != tt.want {
			t.Errorf("Format(%q) = %q, want %q", tt.format, got, tt.want)
		}
	}
}
