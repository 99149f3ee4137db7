package api

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
)

// The stub knows one image, localhost/busybox:latest (ID "abc"); pulls
// of "fail-early" fail before any progress, of "fail-late" after some.

func (stubBackend) ImageInspect(name string) (*define.InspectImageData, error) {
	if name != "localhost/busybox:latest" {
		return nil, fmt.Errorf("%s: %w", name, define.ErrNoSuchImage)
	}
	now := time.Unix(0, 0)
	return &define.InspectImageData{ID: "abc", RepoTags: []string{name}, Created: &now, RootFS: define.ImageRootFS{Type: "layers"}}, nil
}

func (stubBackend) ImageRemove(_ context.Context, name string, _ bool) (service.ImageRemoveReport, error) {
	return service.ImageRemoveReport{}, fmt.Errorf("%s: %w", name, define.ErrNoSuchImage)
}

func (stubBackend) ImagePull(_ context.Context, ref string, opts service.PullOptions) ([]*define.Image, bool, error) {
	fmt.Fprintf(opts.ReportWriter, "Trying to pull %s...\n", ref)
	switch {
	case strings.HasPrefix(ref, "fail-early"):
		return nil, false, fmt.Errorf("%s: %w", ref, define.ErrNoSuchImage)
	case strings.HasPrefix(ref, "fail-late"):
		fmt.Fprintf(opts.ReportWriter, "Getting image source signatures\nCopying blob sha256:0123456789abcdef\n")
		return nil, false, fmt.Errorf("reading blob: connection reset")
	}
	fmt.Fprintf(opts.ReportWriter, "Copying blob sha256:0123456789abcdef done\n")
	return []*define.Image{{ID: "abc", Digest: "sha256:d1"}}, false, fmt.Errorf("creds %q", opts.Creds)
}

func TestImageRoutesBadInput(t *testing.T) {
	srv := New(stubBackend{})
	auth := func(s string) string { return base64.URLEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		method, path, body, authHdr string
		want                        int
		wantBody                    string
	}{
		{"GET", "/images/json?filters=notjson", "", "", 400, "invalid filter"},
		{"GET", "/v1.51/images/localhost/busybox:latest/json", "", "", 200, `"Id":"sha256:abc"`},
		{"GET", "/images/localhost/nosuch:latest/json", "", "", 404, "No such image: localhost/nosuch:latest"},
		{"GET", "/images/localhost/busybox:latest/bogus", "", "", 404, "page not found"},
		{"GET", "/images/get", "", "", 400, "names is required"},
		{"GET", "/images/nosuch/get", "", "", 404, "No such image"},
		{"DELETE", "/images/localhost/nosuch:latest", "", "", 404, "No such image: localhost/nosuch:latest"},
		{"POST", "/images/localhost/busybox:latest/tag", "", "", 400, "repo"},
		{"POST", "/images/nosuch/push", "", "", 404, "No such image"},
		{"POST", "/images/create", "", "", 400, "fromImage or fromSrc"},
		{"POST", "/images/create?fromImage=x&platform=a/b/c/d", "", "", 400, "invalid platform"},
		{"POST", "/images/create?fromImage=x", "", "%%%", 400, "X-Registry-Auth"},
		{"POST", "/images/create?fromImage=x", "", auth("{"), 400, "X-Registry-Auth"},
		{"POST", "/images/create?fromSrc=http://example.com/x.tar", "", "", 501, "URL"},
		{"POST", "/images/create?fromImage=fail-early&tag=1", "", "", 404, "fail-early:1: no such image"},
		{"POST", "/images/create?fromImage=fail-late&tag=1", "", "", 200, `"errorDetail":{"message":"reading blob: connection reset"},"error":"reading blob`},
		{"POST", "/images/create?fromImage=ok&tag=1", "", auth(`{"username":"u","password":"p"}`), 200, `creds \"u:p\"`},
		{"POST", "/images/prune?filters=" + `{"reference":["x"]}`, "", "", 400, "invalid filter"},
		{"POST", "/commit", "", "", 400, "container is required"},
		{"POST", "/commit?container=c&tag=t", "", "", 400, "without a repository"},
		{"POST", "/auth", "{", "", 400, "invalid JSON"},
		{"POST", "/auth", "{}", "", 400, "username is required"},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
		if tt.authHdr != "" {
			req.Header.Set("X-Registry-Auth", tt.authHdr)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != tt.want || !strings.Contains(rec.Body.String(), tt.wantBody) {
			t.Errorf("%s %s = %d %q, want %d with %q", tt.method, tt.path, rec.Code, rec.Body.String(), tt.want, tt.wantBody)
		}
	}
}

// A pull streams docker's messages: "Pulling from" once the manifest is
// read, docker's words per layer, and an error in-stream once the 200 is
// out.
func TestImagePullStream(t *testing.T) {
	srv := New(stubBackend{})
	req := httptest.NewRequest("POST", "/images/create?fromImage=fail-late&tag=1", nil)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	got, _ := io.ReadAll(rec.Body)
	want := `{"status":"Pulling from fail-late","id":"1"}
{"status":"Pulling fs layer","id":"0123456789ab"}
{"errorDetail":{"message":"reading blob: connection reset"},"error":"reading blob: connection reset"}
`
	if string(got) != want {
		t.Errorf("pull stream:\n%s\nwant:\n%s", got, want)
	}
}

// The copy's report lines become docker's per-layer words, for a pull and
// for a push; the config blob and signature lines are not shown.
func TestBlobProgress(t *testing.T) {
	report := []string{
		"Getting image source signatures",
		"Copying blob sha256:aaaaaaaaaaaaaaaa",
		"Copying blob sha256:bbbbbbbbbbbbbbbb skipped: already exists",
		"Copying config sha256:cccccccccccccccc",
		"Writing manifest to image destination",
	}
	for _, tt := range []struct {
		push bool
		want string
	}{
		{false, "aaaaaaaaaaaa: Pulling fs layer|bbbbbbbbbbbb: Already exists|aaaaaaaaaaaa: Download complete|aaaaaaaaaaaa: Pull complete"},
		{true, "aaaaaaaaaaaa: Preparing|bbbbbbbbbbbb: Layer already exists|aaaaaaaaaaaa: Pushed"},
	} {
		b := &blobProgress{push: tt.push}
		var got []string
		for _, l := range report {
			for _, m := range b.line(l) {
				got = append(got, m.ID+": "+m.Status)
			}
		}
		if g := strings.Join(got, "|"); g != tt.want {
			t.Errorf("push=%v: %s\nwant %s", tt.push, g, tt.want)
		}
	}
	if got := repoPath("127.0.0.1:5000/busybox"); got != "busybox" {
		t.Errorf("repoPath = %q", got)
	}
	if got := repoPath("library/busybox"); got != "library/busybox" {
		t.Errorf("repoPath = %q", got)
	}
}
