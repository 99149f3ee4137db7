// Package logsyslog is docker's syslog logging driver. conmon cannot
// write syslog, so the container is created with conmon's passthrough
// driver: its stdout and stderr are two pipes whose read ends a small
// forwarder (berth re-executed) turns into syslog messages. The
// forwarder holds no write end, so it reads EOF and exits once the
// container's processes and conmon are gone, however they ended (stop,
// kill, a killed conmon or CLI): nothing to track, nothing to leak.
package logsyslog

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/engine/define"
)

// DefaultSocket is the local syslog socket an empty syslog-address
// means; a variable so that a test can point it elsewhere.
var DefaultSocket = "/dev/log"

// Config is the parsed syslog-* log options.
type Config struct {
	// Network is "udp", "tcp", "unix" (stream or datagram, whichever the
	// socket is) or "unixgram"; Addr the host:port or socket path.
	Network, Addr string
	// Facility is the syslog facility number (0-23).
	Facility int
	// Format is "rfc3164", "rfc5424" or "rfc5424micro"; "" is docker's
	// default: rfc3164 without a hostname on the local socket.
	Format string
}

// facilities are docker's syslog-facility names.
var facilities = map[string]int{
	"kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6, "news": 7,
	"uucp": 8, "cron": 9, "authpriv": 10, "ftp": 11,
	"local0": 16, "local1": 17, "local2": 18, "local3": 19, "local4": 20, "local5": 21, "local6": 22, "local7": 23,
}

// Parse checks the syslog-* options of opts (other keys are ignored) as
// docker does when the container is created: a unix socket must exist.
func Parse(opts map[string]string) (Config, error) {
	c := Config{Network: "unix", Addr: DefaultSocket, Facility: facilities["daemon"]}
	for k := range opts {
		if strings.HasPrefix(k, "syslog-tls-") {
			return c, invalid("--log-opt %s: syslog over TLS (tcp+tls://) is not supported by berth", k)
		}
	}
	if a := opts["syslog-address"]; a != "" {
		u, err := url.Parse(a)
		if err != nil || u.Scheme == "" {
			return c, invalid("--log-opt syslog-address=%s: must be unix://PATH, unixgram://PATH, udp://HOST:PORT or tcp://HOST:PORT", a)
		}
		switch u.Scheme {
		case "unix", "unixgram":
			if u.Path == "" {
				return c, invalid("--log-opt syslog-address=%s: no socket path", a)
			}
			c.Network, c.Addr = u.Scheme, u.Path
		case "udp", "tcp":
			if u.Host == "" || u.Path != "" && u.Path != "/" {
				return c, invalid("--log-opt syslog-address=%s: must be %s://HOST:PORT", a, u.Scheme)
			}
			host := u.Host
			if _, _, err := net.SplitHostPort(host); err != nil {
				host = net.JoinHostPort(strings.Trim(host, "[]"), "514") // docker's default port
			}
			c.Network, c.Addr = u.Scheme, host
		case "tcp+tls":
			return c, invalid("--log-opt syslog-address=%s: syslog over TLS is not supported by berth", a)
		default:
			return c, invalid("--log-opt syslog-address=%s: unsupported scheme %s (unix, unixgram, udp or tcp)", a, u.Scheme)
		}
	}
	if f, ok := opts["syslog-facility"]; ok && f != "" {
		n, known := facilities[f]
		if !known {
			var err error
			if n, err = strconv.Atoi(f); err != nil || n < 0 || n > 23 {
				return c, invalid("--log-opt syslog-facility=%s: unknown facility (a name such as daemon or local0, or 0-23)", f)
			}
		}
		c.Facility = n
	}
	switch f := opts["syslog-format"]; f {
	case "", "rfc3164", "rfc5424", "rfc5424micro":
		c.Format = f
	default:
		return c, invalid("--log-opt syslog-format=%s: must be rfc3164, rfc5424 or rfc5424micro", f)
	}
	if c.Network == "unix" || c.Network == "unixgram" {
		if fi, err := os.Stat(c.Addr); err != nil || fi.Mode()&os.ModeSocket == 0 {
			return c, invalid("log driver syslog: no syslog socket at %s (is a syslog daemon running? set --log-opt syslog-address=)", c.Addr)
		}
	}
	return c, nil
}

// Dial connects to the syslog server: "unix" tries a datagram socket
// first (what /dev/log is), then a stream one.
func (c Config) Dial() (net.Conn, error) {
	if c.Network == "unix" {
		if conn, err := net.Dial("unixgram", c.Addr); err == nil {
			return conn, nil
		}
	}
	conn, err := net.Dial(c.Network, c.Addr)
	if err != nil {
		return nil, fmt.Errorf("log driver syslog: %w", err)
	}
	return conn, nil
}

func invalid(format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, define.ErrInvalidArg)...)
}
