package api

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
)

// The stub's build reads the context and, by the dockerfile parameter,
// fails before any output ("early"), fails at a RUN step ("fail"), or
// succeeds, echoing what it was given.
func (stubBackend) Build(_ context.Context, archive io.Reader, _, file string, opts service.BuildOptions) (*service.BuildResult, error) {
	body, _ := io.ReadAll(archive)
	switch file {
	case "early":
		return nil, fmt.Errorf("bad tag: %w", define.ErrInvalidArg)
	case "fail":
		if opts.Out != nil {
			fmt.Fprint(opts.Out, "STEP 1/2: FROM busybox\nSTEP 2/2: RUN exit 3\n")
		}
		return nil, &service.BuildStepError{Step: "RUN exit 3", Err: &service.BuildExitError{Code: 3}}
	}
	if opts.Out == nil {
		return &service.BuildResult{Image: &define.Image{ID: strings.Repeat("ab", 32)}}, nil
	}
	if len(opts.CacheFrom)+len(opts.CacheImages) > 0 {
		fmt.Fprintf(opts.Out, "cache=%v %v\n", opts.CacheFrom, opts.CacheImages)
	}
	fmt.Fprintf(opts.Out, "body=%s args=%v labels=%v pull=%s net=%q keep=%v/%v layers=%v format=%s\n",
		body, opts.Args, opts.Labels, opts.Pull, opts.Network, opts.KeepContainers, opts.KeepFailed, !opts.NoLayers, opts.Format)
	return &service.BuildResult{Image: &define.Image{ID: strings.Repeat("ab", 32)}}, nil
}

func TestBuildRoute(t *testing.T) {
	srv := New(stubBackend{})
	id := strings.Repeat("ab", 32)
	tests := []struct {
		path, want string
		code       int
	}{
		{"/build?version=2", "BuildKit", 400},
		{"/build?remote=https://x/y.git", "body=", 200},
		{"/build?nocache=maybe", `invalid nocache \"maybe\"`, 400},
		{"/build?buildargs=notjson", "invalid buildargs", 400},
		{"/build?labels=[1]", "invalid labels", 400},
		{"/build?pull=sometimes", "sometimes", 400},
		{"/build?platform=windows/s390x", "only the host's platform", 400},
		{"/build?dockerfile=[\"a\",\"b\"]", "only one Containerfile", 400},
		{"/build?dockerfile=early", "bad tag", 400},
		{"/build?memory=0&shmsize=0&cpusetcpus=&memory=0", "body=CTX", 200},
		{"/build?memory=1048576", "memory=1048576: resource limits", 400},
		{"/build?extrahosts=a:1.2.3.4", "extrahosts=a:1.2.3.4 is not supported", 400},
		{"/build?cachefrom=%5B%22img%22%5D", "cache=[] [img]", 200},
		{"/libpod/build?cachefrom=%5B%22reg/repo%22%5D", "cache=[reg/repo] []", 200},
		{"/build?cachefrom=img", "invalid cachefrom", 400},
		{"/build?isolation=hyperv", "isolation=hyperv is not supported", 400},
		{"/libpod/build?outputformat=application%2Fvnd.docker.distribution.manifest.v2%2Bjson&q=0", "format=docker", 200},
		{"/libpod/build?outputformat=zip", "outputformat=zip: must be", 400},
		{"/libpod/build?q=0", "format=oci", 200},
		{"/build?outputformat=oci", "format=docker", 200},
		{`/v1.41/build?t=x:1&t=y&buildargs={"A":"b","N":null}&labels={"l":"v"}&pull=1&networkmode=default&rm=0`,
			`{"stream":"body=CTX args=map[A:b] labels=map[l:v] pull=always net=\"\" keep=true/true layers=true format=docker\n"}
{"aux":{"ID":"sha256:` + id + `"}}
{"stream":"Successfully built ababababab` + `ab\n"}
{"stream":"Successfully tagged x:1\n"}
{"stream":"Successfully tagged y:latest\n"}
`, 200},
		{"/build?networkmode=host&forcerm=1&layers=false", `net=\"host\" keep=false/false layers=false`, 200},
		{"/build?dockerfile=fail", `{"stream":"STEP 1/2: FROM busybox\nSTEP 2/2: RUN exit 3\n"}
{"errorDetail":{"code":3,"message":"building at STEP \"RUN exit 3\": while running runtime: exit status 3"},"error":"building at STEP \"RUN exit 3\": while running runtime: exit status 3"}
`, 200},
		// Quiet: nothing before the error, which is still in-stream; a
		// success is the ID alone.
		{"/build?dockerfile=fail&q=1", `{"errorDetail":{"code":3,`, 200},
		{"/build?q=1", `{"aux":{"ID":"sha256:` + id + `"}}
{"stream":"sha256:` + id + `\n"}
`, 200},
		// podman's route: its network policy numbers, "/" for no
		// platform, the ID last as a stream line carrying aux.
		{"/libpod/build?networkmode=1&platform=/", `net=\"none\"`, 200},
		{"/v4.3.1/libpod/build?networkmode=0&dockerfile=[\"Containerfile\"]", `net=\"\"`, 200},
		{"/libpod/build", `{"stream":"` + id + `\n","aux":{"ID":"sha256:` + id + `"}}
`, 200},
		{"/libpod/build?layers=maybe", `"cause":"invalid layers \"maybe\": not a boolean"`, 400},
		{"/libpod/build?dockerfile=fail", `{"errorDetail":{"code":3,`, 200},
	}
	for _, tt := range tests {
		req := httptest.NewRequest("POST", tt.path, strings.NewReader("CTX"))
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		body := rec.Body.String()
		ok := strings.Contains(body, tt.want)
		if tt.code == 200 && strings.HasSuffix(tt.want, "\n") {
			ok = body == tt.want || strings.HasSuffix(body, tt.want)
		}
		if rec.Code != tt.code || !ok {
			t.Errorf("POST %s = %d %q, want %d with %q", tt.path, rec.Code, body, tt.code, tt.want)
		}
	}
}
