package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/errdefs"
	"github.com/berth-dev/berth/service"
	"github.com/moby/moby/api/types/network"
)

func TestStatusFromErrorEverySentinel(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{define.ErrNoSuchCtr, 404}, {define.ErrNoSuchImage, 404}, {define.ErrNoSuchPod, 404},
		{define.ErrNoSuchVolume, 404}, {define.ErrNoSuchExecSession, 404}, {define.ErrCtrRemoved, 404},
		{define.ErrNoSuchPath, 404},
		{define.ErrVolumeExists, 409}, {define.ErrVolumeBeingUsed, 409}, {define.ErrCtrExists, 409},
		{define.ErrNameInUse, 409}, {define.ErrImageInUse, 409}, {define.ErrAmbiguous, 409},
		{define.ErrCtrStateInvalid, 409}, {define.ErrCtrFinalized, 409},
		{define.ErrInvalidArg, 400}, {define.ErrNoSuchUser, 400},
		{define.ErrCtrStopped, 304},
		{define.ErrNotImplemented, 501},
		{define.ErrOCIRuntime, 500}, {define.ErrOCIRuntimeNotFound, 500}, {define.ErrOCIRuntimePermissionDenied, 500},
		{errors.New("plain"), 500},
		{badRequest(errors.New("bad")), 400},
		{errdefs.New(errdefs.ErrUnauthorized, "invalid username/password"), 401},
	}
	for _, tt := range tests {
		wrapped := fmt.Errorf("context: %w", tt.err)
		if got := statusFromError(wrapped); got != tt.want {
			t.Errorf("statusFromError(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

// stubBackend answers the system routes; the container routes are
// tested end to end against real containers (test/e2e/api_test.go).
type stubBackend struct {
	Backend
}

func (stubBackend) Version() string { return "9.9.9" }
func (stubBackend) Info(context.Context) (*service.InfoReport, error) {
	return &service.InfoReport{}, nil
}
func (stubBackend) ContainerInspect(_ context.Context, name string, _ bool) (*define.InspectContainerData, error) {
	return nil, fmt.Errorf("%s: %w", name, define.ErrNoSuchCtr)
}

func (stubBackend) ExecInspect(id string) (*service.ExecSessionInfo, error) {
	return nil, fmt.Errorf("%s: %w", id, define.ErrNoSuchExecSession)
}
func (stubBackend) NetworkInspect(name string) (define.Network, []service.NetworkEndpoint, error) {
	if name == "bridge" {
		return define.Network{Name: define.DefaultNetwork}, nil, nil
	}
	return define.Network{}, nil, fmt.Errorf("%s: %w", name, define.ErrNoSuchNetwork)
}
func (stubBackend) NetworkList(filters []string) ([]define.Network, error) {
	if _, err := service.ParseNetworkFilters(filters, service.NetworkFilterKeys...); err != nil {
		return nil, err
	}
	return []define.Network{{Name: define.DefaultNetwork}, {Name: "custom"}}, nil
}
func (stubBackend) VolumeInspect(name string) (*define.InspectVolume, error) {
	return nil, fmt.Errorf("%s: %w", name, define.ErrNoSuchVolume)
}

func TestRoutesVersionsAndErrors(t *testing.T) {
	srv := New(stubBackend{})
	tests := []struct {
		method, path string
		body         string
		want         int
		wantBody     string
	}{
		{"GET", "/_ping", "", 200, "OK"},
		{"HEAD", "/_ping", "", 200, ""},
		{"GET", "/v1.45/_ping", "", 200, "OK"},
		{"GET", "/v1.12/_ping", "", 400, "too old"},
		{"GET", "/v1.51/version", "", 200, `"Version":"9.9.9"`},
		{"GET", "/nosuch", "", 404, "page not found"},
		{"GET", "/containers/x/json", "", 404, `{"message":"x: no such container"}`},
		{"POST", "/containers/create", "{", 400, "invalid JSON"},
		{"POST", "/containers/create", "", 400, "empty"},
		{"POST", "/containers/create", `{"Image":"busybox","HostConfig":{"StorageOpt":{"size":"1G"}}}`, 400, "HostConfig.StorageOpt is not supported"},
		{"POST", "/containers/create", `{"Image":"busybox","HostConfig":{"CpuPeriod":-1}}`, 400, "CpuPeriod -1"},
		{"POST", "/containers/x/wait?condition=bogus", "", 400, "invalid condition"},
		{"GET", "/containers/json?filters=notjson", "", 400, "invalid filter"},
		// exec
		{"POST", "/containers/x/exec", "{", 400, "invalid JSON"},
		{"POST", "/containers/x/exec", `{"Cmd":[]}`, 400, "no exec command"},
		{"POST", "/containers/x/exec", `{"Cmd":["sh"],"DetachKeys":"ctrl-1"}`, 400, "detach keys"},
		{"POST", "/exec/nosuch/start", `{"Detach":true}`, 404, "no such exec session"},
		{"POST", "/exec/nosuch/start", `{`, 400, "invalid JSON"},
		{"GET", "/exec/nosuch/json", "", 404, "no such exec session"},
		{"POST", "/exec/nosuch/resize?h=x&w=1", "", 400, "invalid resize"},
		{"POST", "/exec/nosuch/resize?h=1&w=1", "", 404, "no such exec session"},
		// networks
		{"GET", "/networks?filters=notjson", "", 400, "invalid filter"},
		{"GET", "/networks?filters={\"bogus\":[\"x\"]}", "", 400, "supported keys"},
		{"GET", "/networks?filters={\"type\":[\"odd\"]}", "", 400, "'type'='odd'"},
		{"GET", "/networks?filters={\"type\":[\"custom\"]}", "", 200, `"Name":"custom"`},
		{"GET", "/networks?filters={\"scope\":[\"swarm\"]}", "", 200, "[]"},
		{"GET", "/networks/nosuch", "", 404, "nosuch: network not found"},
		{"GET", "/networks/bridge?scope=swarm", "", 404, "not found"},
		{"DELETE", "/networks/bridge", "", 403, "pre-defined"},
		{"DELETE", "/networks/nosuch", "", 404, "not found"},
		{"POST", "/networks/create", "", 400, "empty"},
		{"POST", "/networks/create", `{"Driver":"bridge"}`, 400, "name must not be empty"},
		{"POST", "/networks/create", `{"Name":"n","Scope":"swarm"}`, 400, "scope"},
		{"POST", "/networks/create", `{"Name":"n","Ingress":true}`, 400, "swarm networks"},
		{"POST", "/networks/create", `{"Name":"n","EnableIPv4":false}`, 400, "IPv4"},
		{"POST", "/networks/create", `{"Name":"n","IPAM":{"Driver":"dhcp"}}`, 400, "IPAM driver"},
		{"POST", "/networks/create", `{"Name":"n","IPAM":{"Config":[{"Gateway":"10.0.0.1"}]}}`, 400, "needs a Subnet"},
		{"POST", "/networks/create", `{"Name":"n","IPAM":{"Config":[{"Subnet":"nonsense"}]}}`, 400, "invalid JSON"},
		{"POST", "/networks/create", `{"Name":"n","Options":{"com.docker.network.bridge.enable_icc":"false"}}`, 400, "enable_icc"},
		{"POST", "/networks/x/connect", `{}`, 400, "container name"},
		{"POST", "/networks/x/connect", `{"Container":"c","EndpointConfig":{"Links":["a:b"]}}`, 400, "links"},
		{"POST", "/networks/x/disconnect", `{"Container":""}`, 400, "container name"},
		{"POST", "/networks/prune?filters=notjson", "", 400, "invalid filter"},
		// volumes
		{"GET", "/volumes?filters=notjson", "", 400, "invalid filter"},
		{"GET", "/volumes/nosuch", "", 404, "nosuch: no such volume"},
		{"POST", "/volumes/create", "[", 400, "invalid JSON"},
		{"POST", "/volumes/create", `{"ClusterVolumeSpec":{}}`, 400, "cluster volumes"},
		{"POST", "/volumes/prune?filters=notjson", "", 400, "invalid filter"},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != tt.want || !strings.Contains(rec.Body.String(), tt.wantBody) {
			t.Errorf("%s %s = %d %q, want %d with %q", tt.method, tt.path, rec.Code, rec.Body.String(), tt.want, tt.wantBody)
		}
		if rec.Header().Get("Api-Version") != APIVersion {
			t.Errorf("%s %s: no Api-Version header", tt.method, tt.path)
		}
		if rec.Code >= 400 {
			var m map[string]string
			if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil || m["message"] == "" {
				t.Errorf("%s %s: error body %q is not docker's {\"message\": ...}", tt.method, tt.path, rec.Body.String())
			}
		}
	}
}

func TestNetworkCreateOptionsMapping(t *testing.T) {
	var req network.CreateRequest
	body := `{"Name":"n","IPAM":{"Config":[{"Subnet":"10.9.0.0/24","Gateway":"10.9.0.1"},{"Subnet":"10.9.1.0/24"}]},
		"Options":{"com.docker.network.bridge.name":"br9","com.docker.network.driver.mtu":"1400","com.docker.network.bridge.enable_icc":"true"},
		"Labels":{"a":"b"},"Internal":true,"EnableIPv6":true}`
	if err := json.Unmarshal([]byte(body), &req); err != nil {
		t.Fatal(err)
	}
	o, err := networkCreateOptions(&req)
	if err != nil {
		t.Fatal(err)
	}
	if o.Driver != "bridge" || !o.Internal || !o.IPv6 || o.Interface != "br9" || o.Options["mtu"] != "1400" || len(o.Options) != 1 ||
		o.Labels["a"] != "b" || strings.Join(o.Subnets, " ") != "10.9.0.0/24 10.9.1.0/24" || strings.Join(o.Gateways, " ") != "10.9.0.1" || len(o.IPRanges) != 0 {
		t.Errorf("networkCreateOptions = %+v", o)
	}
	n := dockerNetwork(define.Network{Name: "n", Driver: "bridge", NetworkInterface: "br9", Options: map[string]string{"isolate": "true", "mtu": "1400"}, Subnets: []define.Subnet{{Subnet: "10.9.0.0/24", Gateway: "10.9.0.1"}}})
	if n.Scope != "local" || len(n.Options) != 1 || n.Options["com.docker.network.driver.mtu"] != "1400" || len(n.IPAM.Config) != 1 || n.IPAM.Config[0].Gateway.String() != "10.9.0.1" || n.Labels == nil {
		t.Errorf("dockerNetwork = %+v", n)
	}
}

func TestParseDetachKeys(t *testing.T) {
	for in, want := range map[string]string{"": "\x10\x11", "ctrl-a,x": "\x01x", "ctrl-[,ctrl-_,ctrl-@": "\x1b\x1f\x00"} {
		got, err := parseDetachKeys(in)
		if err != nil || string(got) != want {
			t.Errorf("parseDetachKeys(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"ctrl-1", "ctrl", "ab"} {
		if _, err := parseDetachKeys(bad); err == nil {
			t.Errorf("parseDetachKeys(%q) accepted", bad)
		}
	}
}
