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
	"github.com/berth-dev/berth/service"
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
		{"POST", "/containers/create", `{"Image":"busybox","HostConfig":{"CpusetCpus":"0"}}`, 400, "CpusetCpus"},
		{"POST", "/containers/x/wait?condition=bogus", "", 400, "invalid condition"},
		{"GET", "/containers/json?filters=notjson", "", 400, "invalid filter"},
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
