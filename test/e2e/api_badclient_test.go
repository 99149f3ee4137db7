package e2e

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"
)

// rawAttach opens a hijacked attach to name on sock and returns the
// connection once the container's output flows.
func rawAttach(t *testing.T, sock, name string) net.Conn {
	t.Helper()
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	uc := c
	_, err = uc.Write([]byte("POST /v1.51/containers/" + name + "/attach?stream=1&stdout=1&stderr=1 HTTP/1.1\r\n" +
		"Host: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	_ = uc.SetReadDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(uc)
	status, err := r.ReadString('\n')
	if err != nil || !strings.Contains(status, "101") {
		t.Fatalf("attach answer %q: %v", status, err)
	}
	// The container prints a line every 100ms: wait for one.
	var got strings.Builder
	buf := make([]byte, 512)
	for !strings.Contains(got.String(), "tick") {
		n, err := r.Read(buf)
		if err != nil {
			t.Fatalf("reading the attach stream (%q so far): %v", got.String(), err)
		}
		got.Write(buf[:n])
	}
	return uc
}

// The service keeps serving after malformed, oversize and unknown
// requests and after clients that vanish mid-attach or mid-follow, and
// none of them changes any state.
func TestAPIBadClientsLeaveServiceServing(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	uri := apiService(t, env)
	sock := strings.TrimPrefix(uri, "unix://")

	// Oversize JSON (beyond the 16 MiB the service reads) is refused, or
	// the connection is dropped while the client still writes; nothing is
	// created either way.
	huge := `{"Image":"busybox","Cmd":["` + strings.Repeat("a", 17<<20) + `"]}`
	if code, body := apiStatusOrZero(t, uri, "POST", "/containers/create?name=huge", huge); code != 0 && code != 400 {
		t.Errorf("oversize create: %d %q", code, body)
	}
	for _, tc := range []struct {
		method, path, body string
		want               int
	}{
		{"POST", "/containers/create", `{"Image":`, 400},
		{"POST", "/containers/create", `[1,2]`, 400},
		{"POST", "/containers/create?name=bad", `{"Image":"busybox","HostConfig":{"Memory":-5}}`, 400},
		{"POST", "/containers/create?name=nosuchimage", `{"Image":"nosuch:image"}`, 404},
		{"GET", "/no/such/route", "", 404},
		{"POST", "/containers/nosuch/start", "", 404},
	} {
		if code, body := apiStatus(t, uri, tc.method, tc.path, tc.body); code != tc.want {
			t.Errorf("%s %s: %d %q, want %d", tc.method, tc.path, code, body, tc.want)
		}
	}
	if out := env.MustBerth(t, "ps", "-a", "-q"); out != "" {
		t.Errorf("bad requests left containers: %q", out)
	}

	env.MustBerth(t, "run", "-d", "--name", "ticker", "busybox", "sh", "-c", "while true; do echo tick; sleep 0.1; done")
	// A client killed mid-attach: the kernel closes its socket, as here.
	rawAttach(t, sock, "ticker").Close()
	// A client killed mid-follow.
	lc, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = lc.Write([]byte("GET /v1.51/containers/ticker/logs?follow=1&stdout=1 HTTP/1.1\r\nHost: d\r\n\r\n"))
	_ = lc.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := lc.Read(make([]byte, 256)); err != nil {
		t.Fatalf("logs -f: %v", err)
	}
	lc.Close()

	if code, body := apiStatus(t, uri, "GET", "/_ping", ""); code != 200 || body != "OK" {
		t.Fatalf("ping after vanished clients: %d %q", code, body)
	}
	if out := env.MustBerth(t, "inspect", "--format", "{{.State.Running}}", "ticker"); out != "true" {
		t.Errorf("the container stopped with its attached client: running=%s", out)
	}
	// A new client attaches and reads as before.
	rawAttach(t, sock, "ticker").Close()
	env.MustBerth(t, "rm", "-f", "-t", "0", "ticker")
}

// apiStatusOrZero is apiStatus for a request the service may cut off
// while the body is still being written: 0 then.
func apiStatusOrZero(t *testing.T, uri, method, path, body string) (int, string) {
	t.Helper()
	code, out, err := apiDo(uri, method, path, body)
	if err != nil {
		return 0, err.Error()
	}
	return code, out
}
