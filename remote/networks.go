package remote

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
)

// NetworkList is GET /libpod/networks/json?filters=.
func (c *Client) NetworkList(ctx context.Context, filters []service.NetworkFilter) ([]define.Network, error) {
	raw := make([]string, 0, len(filters))
	for _, f := range filters {
		raw = append(raw, f.Key+"="+f.Value)
	}
	q := url.Values{}
	f, err := filtersQuery(raw)
	if err != nil {
		return nil, err
	}
	if f != "" {
		q.Set("filters", f)
	}
	var nets []define.Network
	if err := c.do(ctx, http.MethodGet, "/networks/json", q, nil, &nets); err != nil {
		return nil, err
	}
	return nets, nil
}

// NetworkCreate is POST /libpod/networks/create with podman's network
// record.
func (c *Client) NetworkCreate(ctx context.Context, o service.NetworkCreateOptions) (define.Network, error) {
	req := define.Network{Name: o.Name, Driver: o.Driver, NetworkInterface: o.Interface, IPv6Enabled: o.IPv6,
		Internal: o.Internal, DNSEnabled: !o.DisableDNS, Labels: o.Labels, Options: o.Options}
	for i, s := range o.Subnets {
		sn := define.Subnet{Subnet: s}
		if i < len(o.Gateways) {
			sn.Gateway = o.Gateways[i]
		}
		if i < len(o.IPRanges) && o.IPRanges[i] != "" {
			sn.LeaseRange = &define.LeaseRange{StartIP: o.IPRanges[i]}
		}
		req.Subnets = append(req.Subnets, sn)
	}
	q := url.Values{}
	if o.Ignore {
		q.Set("ignoreIfExists", "true")
	}
	var n define.Network
	err := c.do(ctx, http.MethodPost, "/networks/create", q, req, &n)
	return n, err
}

// NetworkRemove is DELETE /libpod/networks/{name}?force=&timeout= for
// each network.
func (c *Client) NetworkRemove(ctx context.Context, names []string, opts service.RemoveNetworkOptions) []service.Report {
	q := url.Values{}
	if opts.Force {
		q.Set("force", "true")
	}
	if opts.Timeout != nil {
		// podman's name, and berth's
		t := strconv.FormatUint(uint64(*opts.Timeout), 10)
		q.Set("timeout", t)
		q.Set("t", t)
	}
	reports := make([]service.Report, 0, len(names))
	for _, n := range names {
		var rr []struct {
			Name string  `json:"Name"`
			Err  *string `json:"Err"`
		}
		err := c.do(ctx, http.MethodDelete, "/networks/"+url.PathEscape(n), q, nil, &rr)
		if err == nil {
			for _, r := range rr {
				if r.Err != nil && *r.Err != "" {
					err = newRemoteError(http.StatusInternalServerError, *r.Err, "")
				}
			}
		}
		reports = append(reports, service.Report{RawInput: n, ID: n, Err: err})
	}
	return reports
}
