package network

import (
	"errors"
	"fmt"
	"net/netip"
	"os"

	"github.com/berth-dev/berth/engine/define"
	"golang.org/x/sys/unix"
)

// ReservePorts binds the host side of every mapping, picking a free port
// where HostPort is 0, and returns the bound sockets with the mappings as
// they are now (random ports filled in). Holding the sockets (conmon does,
// for the container's lifetime, as with podman) keeps other processes and
// containers off the ports; a port already held fails with an error
// wrapping define.ErrPortInUse. On error nothing stays bound.
func ReservePorts(ports []define.PortMapping) (files []*os.File, out []define.PortMapping, retErr error) {
	defer func() {
		if retErr != nil {
			CloseFiles(files)
			files = nil
		}
	}()
	for _, p := range ports {
		n := p.Range
		if n == 0 {
			n = 1
		}
		if p.Protocol == "sctp" {
			out = append(out, p) // nothing to bind without kernel sctp sockets
			continue
		}
		for i := uint16(0); i < n; i++ {
			port := p.HostPort
			if port != 0 {
				port += i
			}
			f, got, err := bindPort(p.HostIP, port, p.Protocol)
			if err != nil {
				return files, nil, err
			}
			files = append(files, f)
			if p.HostPort == 0 {
				p.HostPort = got
			}
		}
		out = append(out, p)
	}
	return files, out, nil
}

// CloseFiles closes every file, ignoring errors.
func CloseFiles(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}

// bindPort binds (without listening) a socket on ip:port for proto and
// returns it with the bound port.
func bindPort(ip string, port uint16, proto string) (*os.File, uint16, error) {
	addr := netip.IPv4Unspecified()
	if ip != "" {
		a, err := netip.ParseAddr(ip)
		if err != nil {
			return nil, 0, fmt.Errorf("host IP %q invalid: %w", ip, define.ErrInvalidArg)
		}
		addr = a.Unmap()
	}
	typ := unix.SOCK_STREAM
	if proto == "udp" {
		typ = unix.SOCK_DGRAM
	}
	family := unix.AF_INET
	var sa unix.Sockaddr = &unix.SockaddrInet4{Port: int(port), Addr: addr.As4()}
	if addr.Is6() {
		family = unix.AF_INET6
		sa = &unix.SockaddrInet6{Port: int(port), Addr: addr.As16()}
	}
	fd, err := unix.Socket(family, typ|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, 0, err
	}
	// A TCP port is reserved by a listening socket with SO_REUSEADDR (as
	// podman's): the connections of an earlier run left in TIME_WAIT do
	// not block a restart, while a live reservation or server still does.
	// Nothing reaches the listener: netavark's DNAT or the user-mode tool
	// takes the port's traffic.
	if typ == unix.SOCK_STREAM {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
			unix.Close(fd)
			return nil, 0, err
		}
	}
	err = unix.Bind(fd, sa)
	if err == nil && typ == unix.SOCK_STREAM {
		err = unix.Listen(fd, 128)
	}
	if err != nil {
		unix.Close(fd)
		where := addr.String()
		if errors.Is(err, unix.EADDRINUSE) {
			return nil, 0, fmt.Errorf("cannot bind host port %d/%s on %s: %w", port, proto, where, define.ErrPortInUse)
		}
		if errors.Is(err, unix.EADDRNOTAVAIL) {
			return nil, 0, fmt.Errorf("cannot bind host port %d/%s on %s: the host has no such address: %w", port, proto, where, define.ErrInvalidArg)
		}
		return nil, 0, fmt.Errorf("cannot bind host port %d/%s on %s: %w", port, proto, where, err)
	}
	got := port
	if port == 0 {
		bound, err := unix.Getsockname(fd)
		if err != nil {
			unix.Close(fd)
			return nil, 0, err
		}
		switch b := bound.(type) {
		case *unix.SockaddrInet4:
			got = uint16(b.Port)
		case *unix.SockaddrInet6:
			got = uint16(b.Port)
		}
	}
	return os.NewFile(uintptr(fd), fmt.Sprintf("port-%s-%d", proto, got)), got, nil
}
