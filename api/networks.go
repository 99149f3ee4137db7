package api

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
	"github.com/moby/moby/api/types/network"
)

// networkBackend is what the network routes need of service.
type networkBackend interface {
	NetworkList(filters []string) ([]define.Network, error)
	NetworkInspect(name string) (define.Network, []service.NetworkEndpoint, error)
	NetworkCreate(opts service.NetworkCreateOptions) (define.Network, error)
	NetworkRemove(ctx context.Context, name string) error
	NetworkConnect(ctx context.Context, netName, ctr string, opts define.PerNetworkOptions) error
	NetworkDisconnect(ctx context.Context, netName, ctr string) error
	NetworkPrune(ctx context.Context, filters []string) ([]string, error)
}

type networkRouter struct{ b networkBackend }

func (rt networkRouter) register(s *Server) {
	s.handle("GET /networks", rt.list)
	s.handle("GET /networks/{$}", rt.list)
	s.handle("GET /networks/{id}", rt.inspect)
	s.handle("POST /networks/create", rt.create)
	s.handle("DELETE /networks/{id}", rt.remove)
	s.handle("POST /networks/{id}/connect", rt.connect)
	s.handle("POST /networks/{id}/disconnect", rt.disconnect)
	s.handle("POST /networks/prune", rt.prune)
}

func (rt networkRouter) list(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	filters, err := decodeFilters(r.URL.Query().Get("filters"))
	if err != nil {
		return err
	}
	// scope and type are docker's own keys: every berth network is a
	// local one, and only the default network is built in.
	var pass []string
	var types []string
	for _, f := range filters {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "scope":
			if v != "local" {
				writeJSON(w, http.StatusOK, []network.Summary{})
				return nil
			}
		case "type":
			if v != "custom" && v != "builtin" {
				return badRequest(fmt.Errorf("invalid filter: 'type'='%s'", v))
			}
			types = append(types, v)
		default:
			pass = append(pass, f)
		}
	}
	nets, err := rt.b.NetworkList(pass)
	if err != nil {
		return err
	}
	out := make([]network.Summary, 0, len(nets))
	for _, n := range nets {
		if len(types) > 0 && !matchesType(n, types) {
			continue
		}
		out = append(out, network.Summary{Network: dockerNetwork(n)})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func matchesType(n define.Network, types []string) bool {
	for _, t := range types {
		if (t == "builtin") == (n.Name == define.DefaultNetwork) {
			return true
		}
	}
	return false
}

func (rt networkRouter) inspect(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	if sc := r.URL.Query().Get("scope"); sc != "" && sc != "local" {
		return fmt.Errorf("network %s not found: %w", r.PathValue("id"), define.ErrNoSuchNetwork)
	}
	n, eps, err := rt.b.NetworkInspect(r.PathValue("id"))
	if err != nil {
		return err
	}
	out := network.Inspect{Network: dockerNetwork(n), Containers: map[string]network.EndpointResource{}}
	for _, ep := range eps {
		res := network.EndpointResource{Name: ep.Name}
		if mac, err := net.ParseMAC(ep.MacAddress); err == nil {
			res.MacAddress = network.HardwareAddr(mac)
		}
		for _, ip := range ep.IPs {
			p, err := netip.ParsePrefix(ip)
			switch {
			case err != nil:
			case p.Addr().Is4():
				res.IPv4Address = p
			default:
				res.IPv6Address = p
			}
		}
		out.Containers[ep.ContainerID] = res
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// dockerNetwork is a berth network in docker's words.
func dockerNetwork(n define.Network) network.Network {
	out := network.Network{
		Name:       n.Name,
		ID:         n.ID,
		Created:    n.Created,
		Scope:      "local",
		Driver:     n.Driver,
		EnableIPv4: true,
		EnableIPv6: n.IPv6Enabled,
		Internal:   n.Internal,
		Options:    dockerNetworkOptions(n.Options),
		Labels:     nonNilMap(n.Labels),
		IPAM:       network.IPAM{Driver: "default", Options: map[string]string{}, Config: []network.IPAMConfig{}},
	}
	// The bridge's name is not an option the user set: docker lists none
	// for a network created without, and compose compares them.
	for _, s := range n.Subnets {
		var c network.IPAMConfig
		c.Subnet, _ = netip.ParsePrefix(s.Subnet)
		c.Gateway, _ = netip.ParseAddr(s.Gateway)
		out.IPAM.Config = append(out.IPAM.Config, c)
	}
	return out
}

func (rt networkRouter) create(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	var req network.CreateRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	opts, err := networkCreateOptions(&req)
	if err != nil {
		return err
	}
	n, err := rt.b.NetworkCreate(opts)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, network.CreateResponse{ID: n.ID})
	return nil
}

// networkCreateOptions maps docker's create request to `network create`'s
// options; what berth cannot honour is refused (400), not dropped.
func networkCreateOptions(req *network.CreateRequest) (service.NetworkCreateOptions, error) {
	o := service.NetworkCreateOptions{
		Name:     req.Name,
		Driver:   req.Driver,
		Internal: req.Internal,
		Labels:   req.Labels,
	}
	if req.Name == "" {
		return o, badRequest(errors.New("network name must not be empty"))
	}
	if o.Driver == "" {
		o.Driver = "bridge"
	}
	switch {
	case req.Scope != "" && req.Scope != "local":
		return o, badRequest(fmt.Errorf("scope %q is not supported: berth networks are local", req.Scope))
	case req.Ingress || req.ConfigOnly || req.ConfigFrom != nil:
		return o, badRequest(errors.New("swarm networks (Ingress, ConfigOnly, ConfigFrom) are not supported"))
	case req.EnableIPv4 != nil && !*req.EnableIPv4:
		return o, badRequest(errors.New("networks without IPv4 (EnableIPv4=false) are not supported"))
	}
	if req.EnableIPv6 != nil {
		o.IPv6 = *req.EnableIPv6
	}
	if ipam := req.IPAM; ipam != nil {
		if ipam.Driver != "" && ipam.Driver != "default" {
			return o, badRequest(fmt.Errorf("IPAM driver %q is not supported", ipam.Driver))
		}
		for _, c := range ipam.Config {
			if !c.Subnet.IsValid() {
				return o, badRequest(errors.New("IPAM Config needs a Subnet"))
			}
			if len(c.AuxAddress) > 0 {
				return o, badRequest(errors.New("IPAM AuxiliaryAddresses are not supported"))
			}
			o.Subnets = append(o.Subnets, c.Subnet.String())
			gw, rng := "", ""
			if c.Gateway.IsValid() {
				gw = c.Gateway.String()
			}
			if c.IPRange.IsValid() {
				rng = c.IPRange.String()
			}
			o.Gateways = append(o.Gateways, gw)
			o.IPRanges = append(o.IPRanges, rng)
		}
		o.Gateways = trimEmpty(o.Gateways)
		o.IPRanges = trimEmpty(o.IPRanges)
	}
	for k, v := range req.Options {
		switch k {
		case "com.docker.network.bridge.name":
			o.Interface = v
		case "com.docker.network.driver.mtu":
			o.Options = setOpt(o.Options, "mtu", v)
		case "com.docker.network.bridge.enable_icc", "com.docker.network.bridge.enable_ip_masquerade":
			// berth's bridges do both: only "false" asks for what it lacks.
			if v != "true" {
				return o, badRequest(fmt.Errorf("network option %s=%s is not supported", k, v))
			}
		default:
			o.Options = setOpt(o.Options, k, v)
		}
	}
	return o, nil
}

// trimEmpty drops trailing empty values: the service pairs gateways and
// ranges with subnets by position and takes "" as "none" only inside.
func trimEmpty(vals []string) []string {
	for len(vals) > 0 && vals[len(vals)-1] == "" {
		vals = vals[:len(vals)-1]
	}
	return vals
}

func setOpt(m map[string]string, k, v string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[k] = v
	return m
}

func (rt networkRouter) remove(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("id")
	n, _, err := rt.b.NetworkInspect(name)
	if err != nil {
		return err
	}
	if n.Name == define.DefaultNetwork {
		writeJSON(w, http.StatusForbidden, map[string]string{"message": name + " is a pre-defined network and cannot be removed"})
		return nil
	}
	if err := rt.b.NetworkRemove(ctx, n.ID); err != nil {
		if errors.Is(err, define.ErrNetworkInUse) {
			// docker's status for a network with active endpoints
			writeJSON(w, http.StatusForbidden, map[string]string{"message": "error while removing network: " + err.Error()})
			return nil
		}
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (rt networkRouter) connect(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	var req network.ConnectRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	if req.Container == "" {
		return badRequest(errors.New("container name or ID must be given"))
	}
	var opts define.PerNetworkOptions
	if ep := req.EndpointConfig; ep != nil {
		opts.Aliases = ep.Aliases
		if len(ep.Links) > 0 {
			return badRequest(errors.New("links are not supported"))
		}
		if c := ep.IPAMConfig; c != nil {
			for _, ip := range []netip.Addr{c.IPv4Address, c.IPv6Address} {
				if ip.IsValid() {
					opts.StaticIPs = append(opts.StaticIPs, ip.String())
				}
			}
		}
		if len(ep.MacAddress) > 0 {
			opts.StaticMAC = ep.MacAddress.String()
		}
	}
	if err := rt.b.NetworkConnect(ctx, r.PathValue("id"), req.Container, opts); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (rt networkRouter) disconnect(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	var req network.DisconnectRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	if req.Container == "" {
		return badRequest(errors.New("container name or ID must be given"))
	}
	if err := rt.b.NetworkDisconnect(ctx, r.PathValue("id"), req.Container); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (rt networkRouter) prune(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	filters, err := decodeFilters(r.URL.Query().Get("filters"))
	if err != nil {
		return err
	}
	removed, err := rt.b.NetworkPrune(ctx, filters)
	if err != nil {
		return err
	}
	if removed == nil {
		removed = []string{}
	}
	writeJSON(w, http.StatusOK, network.PruneReport{NetworksDeleted: removed})
	return nil
}

// nonNilMap returns m, or an empty map for nil: docker sends {} not null.
func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// dockerNetworkOptions shows berth's network options in docker's names:
// mtu is docker's driver.mtu, and isolate (berth's default, which is how
// docker's bridge networks behave anyway) is not an option a docker user
// set, so it is left out: compose compares options to decide whether a
// network must be re-created.
func dockerNetworkOptions(opts map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range opts {
		switch k {
		case "isolate":
		case "mtu":
			out["com.docker.network.driver.mtu"] = v
		default:
			out[k] = v
		}
	}
	return out
}
