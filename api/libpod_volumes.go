package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
)

// libpodResourceBackend is what the libpod volume and network routes need
// beyond the docker routes' interfaces.
type libpodResourceBackend interface {
	NetworkRemoveForced(ctx context.Context, name string, timeout *uint) error
	VolumeRemoveForced(ctx context.Context, name string, timeout *uint) error
}

func (rt libpodRouter) registerVolumes(h func(string, handler)) {
	h("POST /libpod/volumes/create", rt.volCreate)
	h("GET /libpod/volumes/json", rt.volList)
	h("POST /libpod/volumes/prune", rt.volPrune)
	h("GET /libpod/volumes/{name}/json", rt.volInspect)
	h("GET /libpod/volumes/{name}/exists", rt.volExists)
	h("DELETE /libpod/volumes/{name}", rt.volRemove)
}

func (rt libpodRouter) volCreate(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Name           string            `json:"Name"`
		Driver         string            `json:"Driver"`
		Label          map[string]string `json:"Label"`
		Labels         map[string]string `json:"Labels"`
		Options        map[string]string `json:"Options"`
		IgnoreIfExists bool              `json:"IgnoreIfExists"`
		UID            *int              `json:"UID"`
		GID            *int              `json:"GID"`
	}
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	labels := req.Labels
	if len(req.Label) > 0 {
		labels = req.Label
	}
	v, err := rt.b.VolumeCreate(ctx, service.VolumeOptions{Name: req.Name, Driver: req.Driver, Labels: labels, Options: req.Options,
		UID: req.UID, GID: req.GID, IgnoreExisting: req.IgnoreIfExists})
	if err != nil {
		return badRequestIf(err)
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (rt libpodRouter) volList(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	filters, err := decodeFilters(r.URL.Query().Get("filters"))
	if err != nil {
		return err
	}
	vols, err := rt.b.VolumeList(filters)
	if err != nil {
		return badRequestIf(err)
	}
	writeJSON(w, http.StatusOK, nonNil(vols))
	return nil
}

func (rt libpodRouter) volInspect(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	v, err := rt.b.VolumeInspect(r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (rt libpodRouter) volExists(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	_, err := rt.b.VolumeInspect(r.PathValue("name"))
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// volRemove: force removes the volume's containers first, as podman's.
func (rt libpodRouter) volRemove(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	t, err := timeoutParam(r)
	if err != nil {
		return err
	}
	name := r.PathValue("name")
	if boolValue(r.URL.Query().Get("force")) {
		err = rt.b.VolumeRemoveForced(ctx, name, t)
	} else {
		err = rt.b.VolumeRemove(ctx, name, false)
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (rt libpodRouter) volPrune(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	filters, err := decodeFilters(r.URL.Query().Get("filters"))
	if err != nil {
		return err
	}
	names, _, err := rt.b.VolumePrune(ctx, filters, false)
	if err != nil && len(names) == 0 {
		return badRequestIf(err)
	}
	out := []pruneReport{}
	for _, n := range names {
		out = append(out, pruneReport{ID: n})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (rt libpodRouter) registerNetworks(h func(string, handler)) {
	h("POST /libpod/networks/create", rt.netCreate)
	h("GET /libpod/networks/json", rt.netList)
	h("POST /libpod/networks/prune", rt.netPrune)
	h("GET /libpod/networks/{name}/json", rt.netInspect)
	h("GET /libpod/networks/{name}/exists", rt.netExists)
	h("DELETE /libpod/networks/{name}", rt.netRemove)
	h("POST /libpod/networks/{name}/connect", rt.netConnect)
	h("POST /libpod/networks/{name}/disconnect", rt.netDisconnect)
}

// netCreate takes podman's network record (netavark's shape, which
// berth's define.Network is).
func (rt libpodRouter) netCreate(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	var req define.Network
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	o := service.NetworkCreateOptions{Name: req.Name, Driver: req.Driver, Internal: req.Internal, IPv6: req.IPv6Enabled,
		DisableDNS: !req.DNSEnabled, Interface: req.NetworkInterface, Options: req.Options, Labels: req.Labels,
		Ignore: boolValue(r.URL.Query().Get("ignoreIfExists"))}
	if len(req.IPAMOptions) > 0 {
		return badRequest(fmt.Errorf("ipam_options are not supported by berth"))
	}
	for _, s := range req.Subnets {
		o.Subnets = append(o.Subnets, s.Subnet)
		o.Gateways = append(o.Gateways, s.Gateway)
		ipRange := ""
		if lr := s.LeaseRange; lr != nil && lr.StartIP != "" {
			if lr.EndIP != "" {
				return badRequest(fmt.Errorf("subnets.lease_range.end_ip is not supported by berth"))
			}
			ipRange = lr.StartIP
		}
		o.IPRanges = append(o.IPRanges, ipRange)
	}
	n, err := rt.b.NetworkCreate(o)
	if err != nil {
		return badRequestIf(err)
	}
	writeJSON(w, http.StatusOK, n)
	return nil
}

func (rt libpodRouter) netList(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	filters, err := decodeFilters(r.URL.Query().Get("filters"))
	if err != nil {
		return err
	}
	nets, err := rt.b.NetworkList(filters)
	if err != nil {
		return badRequestIf(err)
	}
	writeJSON(w, http.StatusOK, nonNil(nets))
	return nil
}

func (rt libpodRouter) netInspect(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	n, _, err := rt.b.NetworkInspect(r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, n)
	return nil
}

func (rt libpodRouter) netExists(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	if _, _, err := rt.b.NetworkInspect(r.PathValue("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// netRemove answers podman's report list ({"Name", "Err"}).
func (rt libpodRouter) netRemove(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	t, err := timeoutParam(r)
	if err != nil {
		return err
	}
	if boolValue(r.URL.Query().Get("force")) {
		err = rt.b.NetworkRemoveForced(ctx, name, t)
	} else {
		err = rt.b.NetworkRemove(ctx, name)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, []map[string]any{{"Name": name, "Err": nil}})
	return nil
}

func (rt libpodRouter) netConnect(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Container string `json:"container"`
		define.PerNetworkOptions
	}
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	if req.Container == "" {
		return badRequest(fmt.Errorf("container is required"))
	}
	if err := rt.b.NetworkConnect(ctx, r.PathValue("name"), req.Container, req.PerNetworkOptions); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (rt libpodRouter) netDisconnect(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Container string `json:"Container"`
		Force     bool   `json:"Force"`
	}
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	if req.Container == "" {
		return badRequest(fmt.Errorf("container is required"))
	}
	if err := rt.b.NetworkDisconnect(ctx, r.PathValue("name"), req.Container); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (rt libpodRouter) netPrune(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	filters, err := decodeFilters(r.URL.Query().Get("filters"))
	if err != nil {
		return err
	}
	names, err := rt.b.NetworkPrune(ctx, filters)
	if err != nil && len(names) == 0 {
		return badRequestIf(err)
	}
	out := []map[string]any{}
	for _, n := range names {
		out = append(out, map[string]any{"Name": n, "Error": nil})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
