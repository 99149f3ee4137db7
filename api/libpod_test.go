package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/errdefs"
	"github.com/berth-dev/berth/spec"
)

// libpodStub adds what the libpod routes ask of the backend to stubBackend.
type libpodStub struct {
	stubBackend
}

func (libpodStub) ContainerExists(name string) (bool, error) { return name == "here", nil }
func (libpodStub) PodExists(string) (bool, error)            { return false, nil }
func (libpodStub) ContainerWaitStatus(context.Context, string, []define.ContainerStatus, []string, time.Duration) (int32, error) {
	return 7, nil
}

func TestLibpodRoutes(t *testing.T) {
	srv := New(libpodStub{})
	tests := []struct {
		method, path string
		body         string
		want         int
		wantBody     string
	}{
		{"GET", "/v4.3.1/libpod/_ping", "", 200, "OK"},
		{"HEAD", "/v5.0.0/libpod/_ping", "", 200, ""},
		{"GET", "/libpod/_ping", "", 200, "OK"},
		{"GET", "/v4.3.1/libpod/version", "", 200, `"Name":"Podman Engine"`},
		{"GET", "/v4.3.1/libpod/info", "", 200, `"registries":{}`},
		{"GET", "/v1.2/libpod/_ping", "", 200, "OK"}, // no minimum for libpod
		{"GET", "/v5.0.0/libpod/nosuch", "", 404, `"response":404`},
		{"GET", "/v5.0.0/libpod/containers/x/json", "", 404, `"cause":"no such container"`},
		{"GET", "/v5.0.0/libpod/containers/here/exists", "", 204, ""},
		{"GET", "/v5.0.0/libpod/containers/gone/exists", "", 404, `"cause":"no such container"`},
		{"GET", "/v5.0.0/libpod/pods/gone/exists", "", 404, `"cause":"no such pod"`},
		{"POST", "/v5.0.0/libpod/containers/x/wait?condition=exited", "", 200, "7"},
		{"POST", "/v5.0.0/libpod/containers/x/wait?condition=healthy", "", 200, "7"},
		{"POST", "/v5.0.0/libpod/containers/x/wait?condition=bogus", "", 400, "unknown container status"},
		{"POST", "/v5.0.0/libpod/containers/create", "{", 400, `"response":400`},
		{"POST", "/v5.0.0/libpod/containers/create", `{"image":"busybox","healthconfig":{"Test":["WHAT","true"]}}`, 400, "healthcheck test must start with"},
		{"POST", "/v5.0.0/libpod/containers/create", `{"image":"busybox","health_check_on_failure_action":2}`, 400, "need a healthconfig"},
		{"POST", "/v5.0.0/libpod/containers/create", `{"image":"busybox","resource_limits":{"network":{"classID":1}}}`, 400, "resource_limits.network.classID is not supported"},
		{"POST", "/v5.0.0/libpod/containers/create", `{"image":"busybox","umask":"0999"}`, 400, "invalid umask string 0999"},
		{"POST", "/v5.0.0/libpod/containers/create", `{"image":"busybox","preserve_fds":2}`, 400, "preserve_fds is not supported"},
		{"POST", "/v5.0.0/libpod/pods/create", `{"name":"p","infra_conmon_pid_file":"/x"}`, 400, "infra_conmon_pid_file"},
		// The docker routes keep docker's error body.
		{"GET", "/v1.51/containers/x/json", "", 404, `{"message":"x: no such container"}`},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != tt.want || !strings.Contains(rec.Body.String(), tt.wantBody) {
			t.Errorf("%s %s = %d %q, want %d with %q", tt.method, tt.path, rec.Code, rec.Body.String(), tt.want, tt.wantBody)
		}
		if strings.Contains(tt.path, "/_ping") && rec.Header().Get("Libpod-API-Version") != LibpodAPIVersion {
			t.Errorf("%s %s: Libpod-API-Version = %q", tt.method, tt.path, rec.Header().Get("Libpod-API-Version"))
		}
		if rec.Code >= 400 && strings.Contains(tt.path, "/libpod/") {
			var e libpodError
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Message == "" || e.Cause == "" || e.Response != rec.Code {
				t.Errorf("%s %s: error body %q is not podman's", tt.method, tt.path, rec.Body.String())
			}
		}
	}
}

// podman 4.3's body (plus podman 5's healthcheck log keys) for `run -d --name foo -p 8080:80 -v vol1:/data -v
// /tmp:/t:ro -e A=b --pod p1 --restart always --memory 100m busybox top`,
// defaults and all.
const podman43Create = `{"name":"foo","pod":"p1","command":["top"],"httpproxy":true,"env":{"A":"b"},
"annotations":{"io.kubernetes.cri-o.TTY":"false"},"stop_timeout":10,"log_configuration":{},"raw_image_name":"busybox",
"restart_policy":"always","systemd":"true","sdnotifyMode":"container","pidns":{},"utsns":{},
"containerCreateCommand":["podman","run"],"init_container_type":"","manage_password":true,"image":"busybox",
"image_volume_mode":"anonymous","mounts":[{"destination":"/t","type":"bind","source":"/tmp","options":["ro"]}],
"volumes":[{"Name":"vol1","Dest":"/data","Options":null,"IsAnonymous":false}],"ipcns":{},"seccomp_policy":"default","userns":{},
"idmappings":{"HostUIDMapping":true,"HostGIDMapping":true,"UIDMap":null,"GIDMap":null,"AutoUserNs":false,"AutoUserNsOpts":{"Size":0}},
"umask":"0022","cgroupns":{},"cgroups_mode":"enabled","netns":{},
"portmappings":[{"host_ip":"","container_port":80,"host_port":8080,"range":1,"protocol":""}],"Networks":null,"use_image_hosts":false,
"resource_limits":{"memory":{"limit":104857600,"swap":209715200}},
"healthLogDestination":"local","healthMaxLogCount":5,"healthMaxLogSize":500}`

func TestSpecFromSpecGenerator(t *testing.T) {
	req := httptest.NewRequest("POST", "/libpod/containers/create", strings.NewReader(podman43Create))
	s, err := specFromSpecGenerator(req)
	if err != nil {
		t.Fatal(err)
	}
	stop := uint(10)
	umask := uint32(0o022)
	want := &spec.ContainerSpec{
		Name: "foo", Pod: "p1", Image: "busybox", Command: []string{"top"}, Env: []string{"A=b"},
		StopTimeout: &stop, Restart: spec.RestartPolicy{Name: "always"}, CreateCommand: []string{"podman", "run"},
		Mounts: []spec.Mount{{Type: spec.MountBind, Source: "/tmp", Destination: "/t", ReadOnly: true},
			{Type: spec.MountVolume, Source: "vol1", Destination: "/data"}},
		Ports:  []spec.PortMapping{{HostPort: 8080, ContainerPort: 80, Range: 1, Protocol: "tcp"}},
		Memory: 104857600, MemorySwap: 209715200,
	}
	want.Umask, want.HTTPProxy, want.SeccompPolicy = &umask, true, "default"
	if !reflect.DeepEqual(s, want) {
		t.Errorf("spec =\n%+v\nwant\n%+v", s, want)
	}

	req = httptest.NewRequest("POST", "/libpod/containers/create", strings.NewReader(`{"image":"i","entrypoint":[],
		"netns":{"nsmode":"bridge"},"Networks":{"n1":{"aliases":["a"],"static_ips":["10.1.0.5"]}},"pidns":{"nsmode":"host"},
		"ipcns":{"nsmode":"container","value":"c1"},"stop_signal":9,"restart_policy":"on-failure","restart_tries":3,
		"portmappings":[{"host_ip":"127.0.0.1","container_port":53,"host_port":0,"range":2,"protocol":"udp"}],
		"expose":{"9000":"tcp"},"r_limits":[{"type":"RLIMIT_NOFILE","hard":20,"soft":10}],"read_write_tmpfs":false,
		"resource_limits":{"cpu":{"quota":50000,"period":100000},"pids":{"limit":5}},"tty_hint":null,"remove":false}`))
	s, err = specFromSpecGenerator(req)
	if err != nil {
		t.Fatal(err)
	}
	if !s.EntrypointSet || len(s.Entrypoint) != 0 || strings.Join(s.Network, ",") != "n1" || strings.Join(s.NetworkAlias, ",") != "a" ||
		s.IP != "10.1.0.5" || s.Pid != "host" || s.IPC != "container:c1" || s.StopSignal != 9 ||
		s.Restart != (spec.RestartPolicy{Name: "on-failure", MaxRetries: 3}) ||
		!reflect.DeepEqual(s.Ports, []spec.PortMapping{{HostIP: "127.0.0.1", ContainerPort: 53, Range: 2, Protocol: "udp"}}) ||
		!reflect.DeepEqual(s.Expose, []spec.ExposedPort{{Port: 9000, Protocol: "tcp"}}) ||
		!reflect.DeepEqual(s.Ulimits, []spec.Ulimit{{Name: "nofile", Soft: 10, Hard: 20}}) || !s.NoReadOnlyTmpfs || s.NanoCPUs != 5e8 || s.PidsLimit == nil || *s.PidsLimit != 5 {
		t.Errorf("spec = %+v", s)
	}
}

func TestPodSpecFromGenerator(t *testing.T) {
	body := `{"name":"p1","exit_policy":"continue","shared_namespaces":["ipc","net","uts"],"share_parent":true,
		"pod_create_command":["podman","pod","create"],"pidns":{"nsmode":"private"},"userns":{},"utsns":{},"netns":{},"Networks":null,
		"resource_limits":{"cpu":{}},"idmappings":{"HostUIDMapping":true,"HostGIDMapping":true},"labels":{"k":"v"},
		"portmappings":[{"container_port":80,"host_port":8080}]}`
	ps, err := podSpecFromGenerator(httptest.NewRequest("POST", "/libpod/pods/create", strings.NewReader(body)))
	if err != nil {
		t.Fatal(err)
	}
	if ps.Name != "p1" || !ps.Infra || strings.Join(ps.Share, ",") != "ipc,net,uts" || ps.Pid != "private" || ps.Labels["k"] != "v" ||
		!reflect.DeepEqual(ps.Ports, []spec.PortMapping{{HostPort: 8080, ContainerPort: 80, Protocol: "tcp"}}) || strings.Join(ps.CreateCommand, " ") != "podman pod create" {
		t.Errorf("pod spec = %+v", ps)
	}
	if _, err := podSpecFromGenerator(httptest.NewRequest("POST", "/", strings.NewReader(`{"no_infra":true,"resource_limits":{"pids":{"limit":3}}}`))); err == nil {
		t.Error("a pod pids limit was accepted")
	}
}

func TestRootCause(t *testing.T) {
	sentinel := errdefs.New(errdefs.ErrNotFound, "no such thing")
	for _, tt := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("a: %w", fmt.Errorf("b: %w", sentinel)), "no such thing"},
		{badRequest(fmt.Errorf("x: %w", errors.New("root"))), "root"},
		{errors.New("plain"), "plain"},
		{errdefs.ErrConflict, "conflict"},
	} {
		if got := rootCause(tt.err).Error(); got != tt.want {
			t.Errorf("rootCause(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

func TestHealthFromSpecGenerator(t *testing.T) {
	body := `{"image":"i","healthconfig":{"Test":["CMD-SHELL","true"],"Interval":2000000000,"Retries":2},
		"health_check_on_failure_action":3,"startupHealthConfig":{"Test":["CMD","ok"],"Successes":2},
		"healthLogDestination":"local","healthMaxLogCount":5,"healthMaxLogSize":500}`
	s, err := specFromSpecGenerator(httptest.NewRequest("POST", "/libpod/containers/create", strings.NewReader(body)))
	if err != nil {
		t.Fatal(err)
	}
	h := s.Health
	if h == nil || strings.Join(h.Test, " ") != "CMD-SHELL true" || h.Interval == nil || *h.Interval != 2*time.Second ||
		h.Retries == nil || *h.Retries != 2 || h.OnFailure != "restart" || h.Startup == nil || h.Startup.Successes != 2 ||
		h.MaxLogCount == nil || *h.MaxLogCount != 5 {
		t.Errorf("health = %+v", h)
	}
	// podman 5's log keys alone (every body has them) ask for nothing.
	body = `{"image":"i","healthLogDestination":"local","healthMaxLogCount":5,"healthMaxLogSize":500}`
	if s, err = specFromSpecGenerator(httptest.NewRequest("POST", "/libpod/containers/create", strings.NewReader(body))); err != nil || s.Health != nil {
		t.Errorf("log keys alone: %v %+v", err, s)
	}
}
