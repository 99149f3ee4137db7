package api

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// A limit berth cannot change is refused, naming it, before the backend
// is asked (the stub would panic if it were).
func TestUpdateRefusesUnsupported(t *testing.T) {
	srv := New(stubBackend{})
	for body, want := range map[string]string{
		`{"OomKillDisable":true}`:         "OomKillDisable cannot be updated",
		`{"CpuRealtimePeriod":1000}`:      "CpuRealtime*",
		`{"CpuPeriod":-1}`:                "invalid CpuPeriod",
		`{"Ulimits":[{"Name":"nofile"}]}`: "Ulimits",
		`{"CpuShares":-1}`:                "invalid CpuShares",
		`{`:                               "invalid JSON",
	} {
		req := httptest.NewRequest("POST", "/v1.51/containers/c/update", strings.NewReader(body))
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != 400 || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("update %s = %d %s, want 400 with %q", body, rec.Code, rec.Body.String(), want)
		}
	}
}

// podman 5's healthcheck and environment keys are refused by name, not
// dropped (the stub backend would panic if the update reached it).
func TestLibpodUpdateRefusesUnserved(t *testing.T) {
	srv := New(stubBackend{})
	for body, want := range map[string]string{
		`{"health_cmd":"true"}`:                   "health_cmd cannot be updated through berth's API",
		`{"no_healthcheck":true}`:                 "no_healthcheck",
		`{"Env":["A=1"]}`:                         "Env cannot",
		`{"memory":{"limit":1},"UnsetEnv":["A"]}`: "UnsetEnv",
		`{`: "invalid JSON",
	} {
		req := httptest.NewRequest("POST", "/v5.0.0/libpod/containers/c/update", strings.NewReader(body))
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != 400 || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("libpod update %s = %d %s, want 400 with %q", body, rec.Code, rec.Body.String(), want)
		}
	}
}
