package connection

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// DefaultSocket is where root's `berth system service` listens.
const DefaultSocket = "/run/berth/berth.sock"

// DefaultURI is the service a bare --remote talks to when no default
// connection is set.
const DefaultURI = "unix://" + DefaultSocket

// ParseURI checks a service URI: unix:///PATH, tcp://HOST:PORT or
// ssh://[USER@]HOST[:PORT][/PATH] (the path is the socket on the far host,
// DefaultSocket when left out).
func ParseURI(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("invalid connection URI %q: %w", s, err)
	}
	switch u.Scheme {
	case "unix":
		if u.Host != "" || u.Path == "" {
			return nil, fmt.Errorf("invalid connection URI %q: want unix:///PATH/TO/SOCKET", s)
		}
	case "tcp":
		if _, port, err := net.SplitHostPort(u.Host); err != nil || port == "" {
			return nil, fmt.Errorf("invalid connection URI %q: want tcp://HOST:PORT", s)
		}
	case "ssh":
		if u.Hostname() == "" {
			return nil, fmt.Errorf("invalid connection URI %q: want ssh://[USER@]HOST[:PORT]/PATH/TO/SOCKET", s)
		}
		if p := u.Port(); p != "" {
			if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
				return nil, fmt.Errorf("invalid connection URI %q: bad port %q", s, p)
			}
		}
		if u.Path == "" || u.Path == "/" {
			u.Path = DefaultSocket
		}
	case "":
		return nil, fmt.Errorf("invalid connection URI %q: missing scheme (unix://, tcp:// or ssh://)", s)
	default:
		return nil, fmt.Errorf("invalid connection URI %q: unsupported scheme %q (use unix, tcp or ssh)", s, u.Scheme)
	}
	return u, nil
}

// Destination turns `system connection add`'s DESTINATION into a URI:
// unix:// and tcp:// URIs are taken as they are; ssh://... or a bare
// [USER@]HOST[:PORT] is an ssh destination, whose port a non-zero port
// replaces and whose socket path socketPath (if set) replaces.
func Destination(dest string, port int, socketPath string) (string, error) {
	if !strings.Contains(dest, "://") {
		dest = "ssh://" + dest
	}
	u, err := ParseURI(dest)
	if err != nil {
		return "", err
	}
	switch u.Scheme {
	case "ssh":
		if port != 0 {
			u.Host = net.JoinHostPort(u.Hostname(), strconv.Itoa(port))
		}
		if socketPath != "" {
			u.Path = socketPath
		}
	case "unix":
		if socketPath != "" {
			u.Path = socketPath
		}
	}
	return u.String(), nil
}
