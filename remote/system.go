package remote

import (
	"context"
	"net/http"
	"time"

	"github.com/berth-dev/berth/service"
)

// versionResponse is the part of GET /libpod/version (docker's shape,
// which podman serves there too) the client prints.
type versionResponse struct {
	Version    string `json:"Version"`
	APIVersion string `json:"ApiVersion"`
	GitCommit  string `json:"GitCommit"`
	GoVersion  string `json:"GoVersion"`
	Os         string `json:"Os"`
	Arch       string `json:"Arch"`
	BuildTime  string `json:"BuildTime"`
}

// ServerVersion is GET /libpod/version.
func (c *Client) ServerVersion(ctx context.Context) (*service.ServerVersion, error) {
	var v versionResponse
	if err := c.do(ctx, http.MethodGet, "/version", nil, nil, &v); err != nil {
		return nil, err
	}
	out := &service.ServerVersion{APIVersion: v.APIVersion, Version: v.Version, GoVersion: v.GoVersion,
		GitCommit: v.GitCommit, BuiltTime: v.BuildTime, OsArch: v.Os + "/" + v.Arch, Os: v.Os}
	if t, err := time.Parse(time.RFC3339Nano, v.BuildTime); err == nil {
		out.Built = t.Unix()
	}
	return out, nil
}

// Info is GET /libpod/info: the service's host, store and version.
func (c *Client) Info(ctx context.Context, _ string) (*service.InfoReport, error) {
	var info service.InfoReport
	if err := c.do(ctx, http.MethodGet, "/info", nil, nil, &info); err != nil {
		return nil, err
	}
	return &info, nil
}

// Client is a service.Engine.
var _ service.Engine = (*Client)(nil)
