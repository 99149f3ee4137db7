package define

import (
	"time"

	"github.com/berth-dev/berth/internal/errdefs"
)

// Sentinel errors of networking.
var (
	ErrNoSuchNetwork = errdefs.New(errdefs.ErrNotFound, "network not found")
	ErrNetworkExists = errdefs.New(errdefs.ErrConflict, "network already exists")
	ErrNetworkInUse  = errdefs.New(errdefs.ErrConflict, "network is being used")
	// ErrPortInUse is a host port another process (or container) holds.
	ErrPortInUse = errdefs.New(errdefs.ErrConflict, "address already in use")
	// ErrIPInUse is a static IP another container of the network holds.
	ErrIPInUse = errdefs.New(errdefs.ErrConflict, "IP address is already allocated")
	// ErrNetworkSetup is a failure of the network backend (netavark).
	ErrNetworkSetup = errdefs.New(errdefs.ErrUnavailable, "network setup failed")
)

// DefaultNetwork is the name of the network containers join when they ask
// for none in particular; "bridge" (docker's name) refers to it as well.
const DefaultNetwork = "berth"

// Network is a network definition as berth stores it. Its JSON is the one
// netavark reads in network_info (and podman's `network inspect` shows),
// so the definition is handed to netavark as it is.
type Network struct {
	Name             string            `json:"name"`
	ID               string            `json:"id"`
	Driver           string            `json:"driver"`
	NetworkInterface string            `json:"network_interface,omitempty"`
	Created          time.Time         `json:"created"`
	Subnets          []Subnet          `json:"subnets,omitempty"`
	IPv6Enabled      bool              `json:"ipv6_enabled"`
	Internal         bool              `json:"internal"`
	DNSEnabled       bool              `json:"dns_enabled"`
	Labels           map[string]string `json:"labels,omitempty"`
	Options          map[string]string `json:"options,omitempty"`
	IPAMOptions      map[string]string `json:"ipam_options,omitempty"`
	// NetworkDNSServers are the resolvers aardvark-dns forwards to for
	// this network (podman's --dns of network create).
	NetworkDNSServers []string `json:"network_dns_servers,omitempty"`
}

// Subnet is one subnet of a network, in CIDR form.
type Subnet struct {
	Subnet     string      `json:"subnet"`
	Gateway    string      `json:"gateway,omitempty"`
	LeaseRange *LeaseRange `json:"lease_range,omitempty"`
}

// LeaseRange restricts the addresses handed out in a subnet (--ip-range).
type LeaseRange struct {
	StartIP string `json:"start_ip,omitempty"`
	EndIP   string `json:"end_ip,omitempty"`
}

// PerNetworkOptions is how a container is attached to one network: what
// the user asked for (static IPs and MAC, aliases) and its interface name.
type PerNetworkOptions struct {
	StaticIPs     []string `json:"static_ips,omitempty"`
	StaticMAC     string   `json:"static_mac,omitempty"`
	Aliases       []string `json:"aliases,omitempty"`
	InterfaceName string   `json:"interface_name"`
	// LinkLocalIPs are docker's --link-local-ip addresses, which berth
	// adds to the interface after netavark's setup.
	LinkLocalIPs []string `json:"link_local_ips,omitempty"`
}
