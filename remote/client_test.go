package remote

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/errdefs"
	"github.com/berth-dev/berth/service"
)

// fakeService serves mux on a unix socket and returns a client of it.
func fakeService(t *testing.T, mux *http.ServeMux) *Client {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "s.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(mux)
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	c, err := New(context.Background(), "unix://"+sock, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func notFound(w http.ResponseWriter, name string) {
	writeJSON(w, 404, map[string]any{"cause": "no such container",
		"message": `no container with name or ID "` + name + `" found: no such container`, "response": 404})
}

func TestListAndInspect(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v5.0.0/libpod/containers/json", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("all") != "true" || q.Get("limit") != "2" || q.Get("filters") != `{"name":["web"]}` {
			t.Errorf("query = %v", q)
		}
		writeJSON(w, 200, []map[string]any{{"Id": "abc123abc123abc", "Names": []string{"web"}, "State": "running", "Status": "Up 1 second",
			"Ports": []map[string]any{{"host_ip": "", "container_port": 80, "host_port": 8080, "range": 1, "protocol": "tcp"}}}})
	})
	mux.HandleFunc("GET /v5.0.0/libpod/containers/{name}/json", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("name") != "web" {
			notFound(w, r.PathValue("name"))
			return
		}
		writeJSON(w, 200, map[string]any{"Id": "abc", "Name": "web"})
	})
	c := fakeService(t, mux)
	ctx := context.Background()
	rows, err := c.List(ctx, service.ListOptions{Last: 2, Filters: []string{"name=web"}})
	if err != nil || len(rows) != 1 || rows[0].ID != "abc123abc123abc" || rows[0].Names[0] != "web" || rows[0].Status != "Up 1 second" ||
		len(rows[0].Ports) != 1 || rows[0].Ports[0].HostPort != 8080 || rows[0].Ports[0].ContainerPort != 80 {
		t.Fatalf("List = %+v, %v", rows, err)
	}
	if _, err := c.List(ctx, service.ListOptions{Filters: []string{"bad"}}); !errdefs.IsInvalidArgument(err) {
		t.Errorf("bad filter: err = %v, want invalid argument", err)
	}
	data, err := c.InspectContainer(ctx, "web", false)
	if err != nil || data.Name != "web" {
		t.Fatalf("Inspect = %+v, %v", data, err)
	}
	_, err = c.InspectContainer(ctx, "nope", false)
	if !errors.Is(err, define.ErrNoSuchCtr) || err.Error() != `no container with name or ID "nope" found: no such container` {
		t.Errorf("Inspect nope: err = %v, want the service's message as ErrNoSuchCtr", err)
	}
}

func TestBatchVerbs(t *testing.T) {
	var calls []string
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v5.0.0/libpod/containers/json", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, []map[string]any{{"Id": "run1", "State": "running"}, {"Id": "exit1", "State": "exited"}, {"Id": "paus1", "State": "paused"}})
	})
	mux.HandleFunc("POST /v5.0.0/libpod/containers/{name}/{verb}", func(w http.ResponseWriter, r *http.Request) {
		calls = append(calls, r.PathValue("verb")+" "+r.PathValue("name")+" "+r.URL.RawQuery)
		switch {
		case r.PathValue("name") == "gone":
			notFound(w, "gone")
		case r.PathValue("verb") == "wait":
			writeJSON(w, 200, 3)
		case r.PathValue("name") == "up":
			w.WriteHeader(http.StatusNotModified)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	})
	c := fakeService(t, mux)
	ctx := context.Background()
	ten := uint(10)
	tests := []struct {
		name      string
		run       func() ([]service.Report, error)
		wantCalls []string
		wantErrs  int
	}{
		{"stop names", func() ([]service.Report, error) {
			return c.Stop(ctx, []string{"a", "gone"}, service.StopOptions{Timeout: &ten})
		}, []string{"stop a timeout=10", "stop gone timeout=10"}, 1},
		{"stop all: the running ones", func() ([]service.Report, error) {
			return c.Stop(ctx, nil, service.StopOptions{Selection: service.Selection{All: true}})
		},
			[]string{"stop run1 "}, 0},
		{"start already running is fine", func() ([]service.Report, error) { return c.Start(ctx, []string{"up"}, service.BatchOptions{}) },
			[]string{"start up "}, 0},
		{"kill signal number", func() ([]service.Report, error) {
			return c.Kill(ctx, []string{"a"}, service.KillOptions{Signal: syscall.SIGTERM})
		}, []string{"kill a signal=SIGTERM"}, 0},
		{"unpause all: the paused ones", func() ([]service.Report, error) {
			return c.Unpause(ctx, nil, service.BatchOptions{Selection: service.Selection{All: true}})
		},
			[]string{"unpause paus1 "}, 0},
		{"restart all: every one", func() ([]service.Report, error) {
			return c.Restart(ctx, nil, service.StopOptions{Selection: service.Selection{All: true}})
		},
			[]string{"restart run1 ", "restart exit1 ", "restart paus1 "}, 0},
		{"wait condition", func() ([]service.Report, error) {
			return c.Wait(ctx, []string{"a"}, service.WaitOptions{Conditions: []define.ContainerStatus{define.StatusRunning}})
		}, []string{"wait a condition=running"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			calls = nil
			reports, err := tc.run()
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(calls, "|") != strings.Join(tc.wantCalls, "|") {
				t.Errorf("calls = %q, want %q", calls, tc.wantCalls)
			}
			errs := 0
			for _, r := range reports {
				if r.Err != nil {
					errs++
					if !errors.Is(r.Err, define.ErrNoSuchCtr) {
						t.Errorf("report error %v is not ErrNoSuchCtr", r.Err)
					}
				}
			}
			if errs != tc.wantErrs || len(reports) != len(tc.wantCalls) {
				t.Errorf("reports = %+v, want %d with %d errors", reports, len(tc.wantCalls), tc.wantErrs)
			}
		})
	}
	reports, _ := c.Wait(ctx, []string{"a"}, service.WaitOptions{})
	if reports[0].ExitCode != 3 || reports[0].RawInput != "a" {
		t.Errorf("wait report = %+v, want exit code 3", reports[0])
	}
	if _, err := c.Stop(ctx, []string{"a"}, service.StopOptions{Selection: service.Selection{All: true}}); !errors.Is(err, define.ErrInvalidArg) {
		t.Errorf("--all with names: err = %v", err)
	}
}

func TestRemove(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("DELETE /v5.0.0/libpod/containers/{name}", func(w http.ResponseWriter, r *http.Request) {
		switch n := r.PathValue("name"); n {
		case "gone":
			notFound(w, n)
		case "busy":
			writeJSON(w, 200, []map[string]any{{"Id": "busy1", "Err": "cannot remove container busy1 as it is running - running or paused containers cannot be removed without force: container state improper"}})
		default:
			if r.URL.Query().Get("force") != "true" || r.URL.Query().Get("v") != "true" {
				t.Errorf("query = %v", r.URL.Query())
			}
			writeJSON(w, 200, []map[string]any{{"Id": n + "-id"}})
		}
	})
	c := fakeService(t, mux)
	reports, err := c.Remove(context.Background(), []string{"a", "gone"}, service.RemoveOptions{Force: true, Volumes: true})
	if err != nil || len(reports) != 1 || reports[0].RawInput != "a" || reports[0].Err != nil {
		t.Errorf("rm -f a gone = %+v, %v; want a removed and gone ignored", reports, err)
	}
	reports, _ = c.Remove(context.Background(), []string{"busy", "gone"}, service.RemoveOptions{})
	if len(reports) != 2 || !errors.Is(reports[0].Err, define.ErrCtrStateInvalid) || !errors.Is(reports[1].Err, define.ErrNoSuchCtr) {
		t.Errorf("rm busy gone = %+v", reports)
	}
}

func frame(stream byte, s string) []byte {
	h := make([]byte, 8, 8+len(s))
	h[0] = stream
	binary.BigEndian.PutUint32(h[4:], uint32(len(s)))
	return append(h, s...)
}

func TestLogs(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v5.0.0/libpod/containers/{name}/json", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("name") == "gone" {
			notFound(w, "gone")
			return
		}
		writeJSON(w, 200, map[string]any{"Id": r.PathValue("name")})
	})
	mux.HandleFunc("GET /v5.0.0/libpod/containers/{name}/logs", func(w http.ResponseWriter, r *http.Request) {
		if q := r.URL.Query(); q.Get("tail") != "2" || q.Get("stdout") != "true" || q.Get("stderr") != "true" {
			t.Errorf("query = %v", q)
		}
		if r.PathValue("name") == "tty" {
			w.Write([]byte("raw line\n"))
			return
		}
		w.Write(frame(1, "out 1\n"))
		w.Write(frame(2, "err 1\n"))
		w.Write(frame(1, "out 2\n"))
	})
	c := fakeService(t, mux)
	var stdout, stderr bytes.Buffer
	opts := service.LogsOptions{LogOptions: service.LogOptions{Tail: 2, Stdout: &stdout, Stderr: &stderr}}
	if err := c.Logs(context.Background(), []string{"a", "tty"}, opts); err != nil {
		t.Fatal(err)
	}
	if stdout.String() != "out 1\nout 2\nraw line\n" || stderr.String() != "err 1\n" {
		t.Errorf("stdout %q stderr %q", stdout.String(), stderr.String())
	}
	stdout.Reset()
	if err := c.Logs(context.Background(), []string{"a", "gone"}, opts); !errors.Is(err, define.ErrNoSuchCtr) || stdout.Len() != 0 {
		t.Errorf("logs a gone: err = %v, wrote %q; want ErrNoSuchCtr before any output", err, stdout.String())
	}
}

func TestSystem(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v5.0.0/libpod/version", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"Version": "0.1.0", "ApiVersion": "1.41", "GoVersion": "go1.24", "Os": "linux", "Arch": "amd64"})
	})
	mux.HandleFunc("GET /v5.0.0/libpod/info", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"host": map[string]any{"hostname": "far"}, "store": map[string]any{"graphRoot": "/g"}})
	})
	c := fakeService(t, mux)
	v, err := c.ServerVersion(context.Background())
	if err != nil || v.Version != "0.1.0" || v.APIVersion != "1.41" || v.OsArch != "linux/amd64" {
		t.Errorf("version = %+v, %v", v, err)
	}
	info, err := c.Info(context.Background(), "x")
	if err != nil || info.Host.Hostname != "far" || info.Store.GraphRoot != "/g" {
		t.Errorf("info = %+v, %v", info, err)
	}
}

func TestUnreachable(t *testing.T) {
	c, err := New(context.Background(), "unix://"+filepath.Join(t.TempDir(), "none.sock"), "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.List(context.Background(), service.ListOptions{})
	if err == nil || !strings.Contains(err.Error(), "cannot connect to the berth service at unix://") {
		t.Errorf("err = %v", err)
	}
	if _, err := New(context.Background(), "http://x", ""); err == nil {
		t.Error("New accepted http://")
	}
}
