package remote

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"reflect"

	"github.com/berth-dev/berth/internal/errdefs"
	"github.com/berth-dev/berth/service"
	"github.com/berth-dev/berth/spec"
)

// remotePodFields are the pod spec fields podSpecGenerator sends.
var remotePodFields = map[string]bool{
	"Name": true, "Labels": true, "Hostname": true, "Share": true, "Infra": true, "InfraImage": true,
	"InfraCommand": true, "InfraName": true, "ExitPolicy": true, "Network": true, "Ports": true,
	"NetworkAlias": true, "DNS": true, "DNSSearch": true, "AddHost": true, "CreateCommand": true, "UserNS": true,
}

// PodCreate is POST /libpod/pods/create with podman's PodSpecGenerator;
// --replace is refused, --pod-id-file written on the client.
func (c *Client) PodCreate(ctx context.Context, ps *spec.PodSpec, opts service.PodCreateOptions) (string, error) {
	if opts.Replace {
		return "", errdefs.New(errdefs.ErrNotImplemented, "pod create --replace is not supported with --remote")
	}
	v := reflect.ValueOf(*ps)
	for i := 0; i < v.NumField(); i++ {
		if name := v.Type().Field(i).Name; !remotePodFields[name] && !v.Field(i).IsZero() {
			return "", errdefs.New(errdefs.ErrNotImplemented, fmt.Sprintf("the pod's %s setting is not supported with --remote", name))
		}
	}
	g := map[string]any{"no_infra": !ps.Infra}
	set := func(k string, v any, ok bool) {
		if ok {
			g[k] = v
		}
	}
	set("name", ps.Name, ps.Name != "")
	set("labels", ps.Labels, len(ps.Labels) > 0)
	set("hostname", ps.Hostname, ps.Hostname != "")
	set("shared_namespaces", ps.Share, ps.Share != nil)
	set("infra_image", ps.InfraImage, ps.InfraImage != "")
	set("infra_command", ps.InfraCommand, len(ps.InfraCommand) > 0)
	set("infra_name", ps.InfraName, ps.InfraName != "")
	set("exit_policy", ps.ExitPolicy, ps.ExitPolicy != "")
	set("pod_create_command", ps.CreateCommand, len(ps.CreateCommand) > 0)
	set("dns_server", ps.DNS, len(ps.DNS) > 0)
	set("dns_search", ps.DNSSearch, len(ps.DNSSearch) > 0)
	set("hostadd", ps.AddHost, len(ps.AddHost) > 0)
	specUserNS(g, &spec.ContainerSpec{UserNS: ps.UserNS})
	if err := specNetwork(g, &spec.ContainerSpec{Network: ps.Network, NetworkAlias: ps.NetworkAlias, Ports: ps.Ports}); err != nil {
		return "", err
	}
	var resp struct {
		ID string `json:"Id"`
	}
	if err := c.do(ctx, http.MethodPost, "/pods/create", nil, g, &resp); err != nil {
		return "", err
	}
	if opts.IDFile != "" {
		if err := os.WriteFile(opts.IDFile, []byte(resp.ID), 0o644); err != nil {
			return "", fmt.Errorf("writing the pod ID file: %w", err)
		}
	}
	return resp.ID, nil
}
