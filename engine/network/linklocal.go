package network

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"

	"golang.org/x/sys/unix"

	"github.com/berth-dev/berth/engine/define"
)

// Link-local addresses (docker's --link-local-ip) are not netavark's:
// after its setup, each is added to the container's interface on that
// network, as docker adds them to the endpoint's interface.

// addLinkLocalIPs adds the link-local addresses the options ask for to
// their interfaces in the namespace at netns.
func addLinkLocalIPs(netns string, nets map[string]define.PerNetworkOptions) error {
	var todo []define.PerNetworkOptions
	for _, o := range nets {
		if len(o.LinkLocalIPs) > 0 {
			todo = append(todo, o)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	return inNetNS(netns, func() error {
		for _, o := range todo {
			ifc, err := net.InterfaceByName(o.InterfaceName)
			if err != nil {
				return fmt.Errorf("link-local address: interface %s: %w", o.InterfaceName, err)
			}
			for _, s := range o.LinkLocalIPs {
				a, err := netip.ParseAddr(s)
				if err != nil {
					return err
				}
				if err := addAddr(int32(ifc.Index), a); err != nil && err != unix.EEXIST {
					return fmt.Errorf("link-local address %s on %s: %w", s, o.InterfaceName, err)
				}
			}
		}
		return nil
	})
}

// addAddr adds a link-local address (169.254.0.0/16 or fe80::/64) to
// the interface with index.
func addAddr(index int32, a netip.Addr) error {
	fam, bits := byte(unix.AF_INET), byte(16)
	if a.Is6() {
		fam, bits = unix.AF_INET6, 64
	}
	msg := make([]byte, unix.SizeofIfAddrmsg)
	msg[0], msg[1], msg[3] = fam, bits, unix.RT_SCOPE_LINK
	binary.NativeEndian.PutUint32(msg[4:], uint32(index))
	raw := a.AsSlice()
	msg = append(msg, rtattr(unix.IFA_LOCAL, raw)...)
	msg = append(msg, rtattr(unix.IFA_ADDRESS, raw)...)
	return rtnl(unix.RTM_NEWADDR, unix.NLM_F_CREATE|unix.NLM_F_EXCL, msg)
}
