package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/service"
	"github.com/moby/moby/api/types/jsonstream"
)

// buildBackend is what the build routes need of service.
type buildBackend interface {
	Build(ctx context.Context, archive io.Reader, remote, containerfile string, opts service.BuildOptions) (*service.BuildResult, error)
}

type buildRouter struct{ b buildBackend }

func (rt buildRouter) register(s *Server) {
	s.handle("POST /build", rt.build)
}

// buildParams are the query parameters docker's classic builder and
// podman's build route share (docker's names; podman adds layers).
type buildParams struct {
	opts       service.BuildOptions
	dockerfile string
	// remote is the context to fetch instead of the body: a git URL, or
	// the http(s) URL of a tarball or a Dockerfile.
	remote string
	quiet  bool
}

// parseBuildParams reads the query (libpod: podman's route); any mistake
// is a 400 before the context is read.
func parseBuildParams(r *http.Request, libpod bool) (*buildParams, error) {
	q := r.URL.Query()
	p := &buildParams{dockerfile: q.Get("dockerfile"), quiet: boolValue(q.Get("q"))}
	if v := q.Get("version"); v == "2" {
		return nil, badRequest(errors.New("BuildKit (version=2) is not supported: use the classic builder (DOCKER_BUILDKIT=0)"))
	}
	p.remote = q.Get("remote")
	// What the builder cannot honour is refused, not dropped (docker's
	// client sends the resource limits as 0 when unset, podman the
	// default 64MiB shm size).
	for _, k := range []string{"memory", "memswap", "cpushares", "cpuquota", "cpuperiod", "shmsize"} {
		if v := q.Get(k); v != "" && v != "0" && (k != "shmsize" || v != "67108864") {
			return nil, badRequest(fmt.Errorf("%s=%s: resource limits of build containers are not supported", k, v))
		}
	}
	for _, k := range []string{"cpusetcpus", "cpusetmems", "extrahosts"} {
		if v := q.Get(k); v != "" && v != "[]" {
			return nil, badRequest(fmt.Errorf("%s=%s is not supported by the builder", k, v))
		}
	}
	// cachefrom: docker's are images whose history is cache; podman's
	// are registry repositories of cached steps (its --cache-from).
	var cacheFrom []string
	if v := q.Get("cachefrom"); v != "" && v != "null" {
		if err := json.Unmarshal([]byte(v), &cacheFrom); err != nil {
			return nil, badRequest(fmt.Errorf("invalid cachefrom %q: a JSON list of image names: %w", v, err))
		}
	}
	// podman sends buildah's numbers: 0 default, 1 OCI.
	switch v := q.Get("isolation"); v {
	case "", "default", "oci", "0", "1":
	default:
		return nil, badRequest(fmt.Errorf("isolation=%s is not supported: RUN steps run in OCI runtime containers", v))
	}
	// docker's route builds docker schema2 images, as podman's compat
	// route does; podman's follows outputformat (OCI by default).
	p.opts.Format = "docker"
	if libpod {
		switch v := q.Get("outputformat"); v {
		case "", "oci", "application/vnd.oci.image.manifest.v1+json":
			p.opts.Format = "oci"
		case "docker", "application/vnd.docker.distribution.manifest.v2+json":
		default:
			return nil, badRequest(fmt.Errorf("outputformat=%s: must be application/vnd.oci.image.manifest.v1+json or application/vnd.docker.distribution.manifest.v2+json", v))
		}
	}
	// docker's squash: the layers the build adds become one.
	p.opts.Squash = boolValue(q.Get("squash"))
	// podman sends its Containerfiles as a JSON list.
	if strings.HasPrefix(p.dockerfile, "[") {
		var files []string
		if err := json.Unmarshal([]byte(p.dockerfile), &files); err != nil {
			return nil, badRequest(fmt.Errorf("invalid dockerfile %q: %w", p.dockerfile, err))
		}
		switch len(files) {
		case 0:
			p.dockerfile = ""
		case 1:
			p.dockerfile = files[0]
		default:
			return nil, badRequest(errors.New("only one Containerfile is supported"))
		}
	}
	o := &p.opts
	if libpod {
		o.CacheFrom = cacheFrom
	} else {
		o.CacheImages = cacheFrom
	}
	o.Tags = q["t"]
	o.Target = q.Get("target")
	var err error
	if o.NoCache, err = boolParam(q, "nocache", false); err != nil {
		return nil, err
	}
	layers, err := boolParam(q, "layers", true)
	if err != nil {
		return nil, err
	}
	o.NoLayers = !layers
	// docker's rm=false keeps every RUN container; a failed step's goes
	// unless rm=false and forcerm=false, so a failed build leaves nothing.
	rm, err := boolParam(q, "rm", true)
	if err != nil {
		return nil, err
	}
	forceRm, err := boolParam(q, "forcerm", false)
	if err != nil {
		return nil, err
	}
	o.KeepContainers, o.KeepFailed = !rm, !rm && !forceRm
	o.Pull = service.PullMissing
	if v := q.Get("pullpolicy"); v != "" {
		o.Pull = v
	} else if v := q.Get("pull"); v != "" {
		if pull, err := strconv.ParseBool(v); err == nil {
			if pull {
				o.Pull = service.PullAlways
			}
		} else {
			o.Pull = v
		}
	}
	if err := service.ValidPullPolicy(o.Pull); err != nil {
		return nil, badRequest(err)
	}
	switch n := q.Get("networkmode"); {
	case libpod && n == "1":
		// podman sends buildah's network policy: 0 default, 1
		// disabled, 2 enabled.
		o.Network = "none"
	case libpod && (n == "0" || n == "2"), n == "default":
	default:
		o.Network = n
	}
	for _, pl := range q["platform"] {
		// podman sends "/" when no platform was asked for.
		os, arch, _ := strings.Cut(pl, "/")
		arch, _, _ = strings.Cut(arch, "/")
		if (os != "" && os != runtime.GOOS) || (arch != "" && arch != runtime.GOARCH) {
			return nil, badRequest(fmt.Errorf("platform %s: only the host's platform (%s/%s) can be built", pl, runtime.GOOS, runtime.GOARCH))
		}
	}
	if v := q.Get("buildargs"); v != "" {
		// docker's values may be null: the argument without a value.
		var args map[string]*string
		if err := json.Unmarshal([]byte(v), &args); err != nil {
			return nil, badRequest(fmt.Errorf("invalid buildargs %q: %w", v, err))
		}
		o.Args = map[string]string{}
		for k, val := range args {
			if val != nil {
				o.Args[k] = *val
			}
		}
	}
	if v := q.Get("labels"); v != "" {
		if err := json.Unmarshal([]byte(v), &o.Labels); err != nil {
			return nil, badRequest(fmt.Errorf("invalid labels %q: %w", v, err))
		}
	}
	return p, nil
}

// boolParam reads a boolean parameter: absent is def, garbage a 400.
func boolParam(q map[string][]string, key string, def bool) (bool, error) {
	v := ""
	if vs := q[key]; len(vs) > 0 {
		v = vs[0]
	}
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, badRequest(fmt.Errorf("invalid %s %q: not a boolean", key, v))
	}
	return b, nil
}

// build is docker's classic builder (POST /build): the body is the
// context as a tar archive; the log streams as {"stream": ...} messages,
// then the image ID as aux and docker's "Successfully built/tagged"
// lines. A client that goes away cancels the build, which removes its
// containers.
func (rt buildRouter) build(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	p, out, res, err := rt.run(ctx, w, r, false)
	if res == nil {
		return err
	}
	id := "sha256:" + res.Image.ID
	aux := json.RawMessage(`{"ID":"` + id + `"}`)
	out.send(message{Message: jsonstream.Message{Aux: &aux}})
	if p.quiet {
		out.send(message{Message: jsonstream.Message{Stream: id + "\n"}})
		return nil
	}
	out.send(message{Message: jsonstream.Message{Stream: "Successfully built " + res.Image.ID[:12] + "\n"}})
	for _, t := range p.opts.Tags {
		if repoOf(t) == t && !strings.Contains(t, "@") {
			t += ":latest"
		}
		out.send(message{Message: jsonstream.Message{Stream: "Successfully tagged " + t + "\n"}})
	}
	return nil
}

// run reads the parameters and builds, the log streaming to the client;
// a nil res means the build failed and err is what the handler returns.
func (rt buildRouter) run(ctx context.Context, w http.ResponseWriter, r *http.Request, libpod bool) (*buildParams, *progress, *service.BuildResult, error) {
	p, err := parseBuildParams(r, libpod)
	if err != nil {
		return nil, nil, nil, err
	}
	authFile, cleanup, err := buildAuthFile(r)
	if err != nil {
		return nil, nil, nil, err
	}
	defer cleanup()
	if authFile != "" {
		p.opts.Registry.AuthFile = authFile
	}
	out := newProgress(w)
	stream := streamFunc(func(s string) { out.send(message{Message: jsonstream.Message{Stream: s}}) })
	if !p.quiet {
		p.opts.Out, p.opts.PullWriter = stream, stream
	}
	res, err := rt.b.Build(ctx, r.Body, p.remote, p.dockerfile, p.opts)
	if err != nil {
		return p, out, nil, buildFailed(out, err)
	}
	return p, out, res, nil
}

// libpodBuild is podman's build route (POST /libpod/build): the same
// parameters and stream, ending with the image ID as a stream line, which
// podman-remote reads as the result, with aux in the same message:
// podman 4's client fails on a message with neither stream nor error.
func (rt buildRouter) libpodBuild(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	_, out, res, err := rt.run(ctx, w, r, true)
	if res == nil {
		return err
	}
	aux := json.RawMessage(`{"ID":"sha256:` + res.Image.ID + `"}`)
	out.send(message{Message: jsonstream.Message{Stream: res.Image.ID + "\n", Aux: &aux}})
	return nil
}

// buildFailed reports err: as the request's status while nothing was
// sent (unless a step failed: with q=1 nothing is sent before), else
// in-stream with the failed RUN's exit code (the docker CLI
// exits with it).
func buildFailed(out *progress, err error) error {
	code := 0
	var se *service.BuildStepError
	if errors.As(err, &se) {
		code = se.ExitCode()
	}
	out.mu.Lock()
	started := out.started
	out.mu.Unlock()
	if !started && se == nil {
		return err
	}
	out.send(message{Message: jsonstream.Message{Error: &jsonstream.Error{Code: code, Message: err.Error()}}, Error: err.Error()})
	return nil
}

// streamFunc is a writer whose every write is passed on whole (build
// output keeps its own line breaks, as docker's "stream" does).
type streamFunc func(string)

func (f streamFunc) Write(b []byte) (int, error) {
	f(string(b))
	return len(b), nil
}
