package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/api/types/registry"
)

// create is docker pull (fromImage) and docker import (fromSrc=-).
func (rt imageRouter) create(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if src := q.Get("fromSrc"); src != "" {
		return rt.importImage(ctx, w, r, src)
	}
	from := q.Get("fromImage")
	if from == "" {
		return badRequest(errors.New("fromImage or fromSrc is required"))
	}
	ro, err := registryAuth(r)
	if err != nil {
		return err
	}
	if err := platformParam(q.Get("platform"), &ro); err != nil {
		return err
	}
	ref, tag := from, q.Get("tag")
	opts := service.PullOptions{RegistryOptions: ro}
	switch {
	case strings.HasPrefix(tag, "sha256:"):
		ref = repoOf(from) + "@" + tag
	case tag != "":
		ref = repoOf(from) + ":" + tag
	case repoOf(from) == from:
		opts.AllTags = true // docker: no tag pulls every tag
	}
	p := newProgress(w)
	pulling := false
	blobs := &blobProgress{}
	opts.ReportWriter = lineFunc(func(line string) {
		if strings.HasPrefix(line, "Trying to pull ") {
			return // before the manifest: an error may still get a status
		}
		if !pulling {
			pulling = true
			repo, t := service.SplitRepoTag(ref)
			p.send(message{Message: jsonstream.Message{Status: "Pulling from " + repoPath(repo), ID: t}})
		}
		for _, m := range blobs.line(line) {
			p.send(m)
		}
	})
	imgs, existed, err := rt.b.ImagePull(ctx, ref, opts)
	if err != nil {
		return p.fail(err)
	}
	if len(imgs) > 0 && imgs[0].Digest != "" {
		p.send(message{Message: jsonstream.Message{Status: "Digest: " + imgs[0].Digest}})
	}
	status := "Status: Downloaded newer image for " + ref
	if existed {
		status = "Status: Image is up to date for " + ref
	}
	p.send(message{Message: jsonstream.Message{Status: status}})
	return nil
}

// importImage is docker import of a tarball in the body; the last
// message is the new image's ID, which the docker CLI prints.
func (rt imageRouter) importImage(ctx context.Context, w http.ResponseWriter, r *http.Request, src string) error {
	if src != "-" {
		return fmt.Errorf("importing from a URL (fromSrc=%s): %w", src, define.ErrNotImplemented)
	}
	q := r.URL.Query()
	opts := service.ImportOptions{Changes: q["changes"], Message: q.Get("message")}
	if repo := q.Get("repo"); repo != "" {
		opts.Reference = repo
		if tag := q.Get("tag"); tag != "" {
			opts.Reference = repoOf(repo) + ":" + tag
		}
	}
	var ro service.RegistryOptions
	if err := platformParam(q.Get("platform"), &ro); err != nil {
		return err
	}
	opts.OS, opts.Arch = ro.OS, ro.Arch
	img, err := rt.b.ImageImport(ctx, r.Body, opts)
	if err != nil {
		return badRequestIf(err)
	}
	p := newProgress(w)
	p.send(message{Message: jsonstream.Message{Status: "sha256:" + img.ID}})
	return nil
}

// push is docker push of the local image NAME[:tag].
func (rt imageRouter) push(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	if tag := r.URL.Query().Get("tag"); tag != "" {
		name = repoOf(name) + ":" + tag
	}
	ro, err := registryAuth(r)
	if err != nil {
		return err
	}
	if _, err := rt.b.ImageInspect(name); err != nil {
		return noSuchImage(name, err)
	}
	p := newProgress(w)
	repo, tag := service.SplitRepoTag(name)
	p.send(message{Message: jsonstream.Message{Status: "The push refers to repository [" + repo + "]"}})
	opts := service.PushOptions{RegistryOptions: ro}
	blobs := &blobProgress{push: true}
	opts.ReportWriter = lineFunc(func(line string) {
		for _, m := range blobs.line(line) {
			p.send(m)
		}
	})
	rep, err := rt.b.ImagePush(ctx, name, opts)
	if err != nil {
		return p.fail(err)
	}
	dgst := rep.Digest.String()
	aux, _ := json.Marshal(map[string]any{"Tag": tag, "Digest": dgst, "Size": rep.Size})
	raw := json.RawMessage(aux)
	p.send(message{Message: jsonstream.Message{Status: fmt.Sprintf("%s: digest: %s size: %d", tag, dgst, rep.Size)}})
	p.send(message{Message: jsonstream.Message{Progress: &jsonstream.Progress{}, Aux: &raw}})
	return nil
}

func (rt imageRouter) save(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	return rt.saveNames(ctx, w, []string{r.PathValue("name")})
}

func (rt imageRouter) saveMany(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	names := r.URL.Query()["names"]
	if len(names) == 0 {
		return badRequest(errors.New("names is required"))
	}
	return rt.saveNames(ctx, w, names)
}

// saveNames buffers nothing: the archive streams out, so a failure after
// its first bytes can only cut the stream short.
func (rt imageRouter) saveNames(ctx context.Context, w http.ResponseWriter, names []string) error {
	for _, n := range names {
		if _, err := rt.b.ImageInspect(n); err != nil {
			return noSuchImage(n, err)
		}
	}
	w.Header().Set("Content-Type", "application/x-tar")
	return rt.b.ImageSave(ctx, names, w)
}

// load is docker load: one {"stream": "Loaded image: ..."} per image.
func (rt imageRouter) load(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	names, err := rt.b.ImageLoad(ctx, r.Body)
	if err != nil {
		return badRequestIf(err)
	}
	p := newProgress(w)
	for _, n := range names {
		line := "Loaded image: " + n + "\n"
		if isImageID(n) {
			line = "Loaded image ID: sha256:" + strings.TrimPrefix(n, "sha256:") + "\n"
		}
		p.send(message{Message: jsonstream.Message{Stream: line}})
	}
	if len(names) == 0 {
		p.start()
	}
	return nil
}

// commit is docker commit; a container config in the body becomes
// --change instructions over the container's own.
func (rt imageRouter) commit(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	ctr := q.Get("container")
	if ctr == "" {
		return badRequest(errors.New("container is required"))
	}
	opts := service.CommitOptions{
		Changes: q["changes"], Message: q.Get("comment"), Author: q.Get("author"), Format: "docker",
	}
	repo, tag := q.Get("repo"), q.Get("tag")
	switch {
	case repo == "" && tag != "":
		return badRequest(errors.New("tag given without a repository (repo)"))
	case repo != "":
		opts.Reference = repo
		if tag != "" {
			opts.Reference = repoOf(repo) + ":" + tag
		}
	}
	changes, err := configChanges(r)
	if err != nil {
		return err
	}
	opts.Changes = append(opts.Changes, changes...)
	pause := q.Get("pause") == "" || boolValue(q.Get("pause"))
	img, err := rt.b.ContainerCommit(ctx, ctr, opts, pause)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, container.CommitResponse{ID: "sha256:" + img.ID})
	return nil
}

// configChanges turns the optional container config of a commit into
// Dockerfile instructions.
func configChanges(r *http.Request) ([]string, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 || string(body) == "null" {
		return nil, nil
	}
	var cfg container.Config
	if err := json.Unmarshal(body, &cfg); err != nil {
		return nil, badRequest(fmt.Errorf("invalid JSON body: %w", err))
	}
	var out []string
	js := func(v []string) string { b, _ := json.Marshal(v); return string(b) }
	if len(cfg.Cmd) > 0 {
		out = append(out, "CMD "+js(cfg.Cmd))
	}
	if len(cfg.Entrypoint) > 0 {
		out = append(out, "ENTRYPOINT "+js(cfg.Entrypoint))
	}
	for _, e := range cfg.Env {
		out = append(out, "ENV "+e)
	}
	for k, v := range cfg.Labels {
		out = append(out, "LABEL "+strconv.Quote(k)+"="+strconv.Quote(v))
	}
	if cfg.WorkingDir != "" {
		out = append(out, "WORKDIR "+cfg.WorkingDir)
	}
	if cfg.User != "" {
		out = append(out, "USER "+cfg.User)
	}
	return out, nil
}

// auth is docker login's check: the credentials are tried, not stored.
func (rt imageRouter) auth(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	var ac registry.AuthConfig
	if err := decodeBody(r, &ac); err != nil {
		return err
	}
	if ac.Username == "" {
		return badRequest(errors.New("username is required"))
	}
	server := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(ac.ServerAddress, "https://"), "http://"), "/")
	if err := rt.b.RegistryLogin(ctx, server, ac.Username, ac.Password); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, registry.AuthResponse{Status: "Login Succeeded"})
	return nil
}

// registryAuth reads X-Registry-Auth: base64url JSON of an AuthConfig.
// An empty one ("e30=", {}) means anonymous.
func registryAuth(r *http.Request) (service.RegistryOptions, error) {
	var ro service.RegistryOptions
	h := r.Header.Get(registry.AuthHeader)
	if h == "" {
		return ro, nil
	}
	var ac registry.AuthConfig
	if err := decodeHeaderJSON(h, &ac); err != nil {
		return ro, badRequest(fmt.Errorf("invalid %s header: %v", registry.AuthHeader, err))
	}
	if user, pass := authCreds(ac); user != "" {
		ro.Creds = user + ":" + pass
	}
	return ro, nil
}

// decodeHeaderJSON reads a header holding base64 JSON; clients differ in
// the base64 alphabet and padding they use.
func decodeHeaderJSON(h string, v any) error {
	var raw []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.URLEncoding, base64.RawURLEncoding, base64.StdEncoding, base64.RawStdEncoding} {
		if raw, err = enc.DecodeString(h); err == nil {
			break
		}
	}
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// authCreds is the user and password of an auth config, from its
// fields or its "auth" (base64 user:password).
func authCreds(ac registry.AuthConfig) (user, pass string) {
	user, pass = ac.Username, ac.Password
	if user == "" && ac.Auth != "" {
		if b, err := base64.StdEncoding.DecodeString(ac.Auth); err == nil {
			user, pass, _ = strings.Cut(string(b), ":")
		}
	}
	return user, pass
}

// platformParam reads docker's os[/arch[/variant]].
func platformParam(p string, ro *service.RegistryOptions) error {
	if p == "" {
		return nil
	}
	parts := strings.Split(p, "/")
	if len(parts) > 3 || parts[0] == "" {
		return badRequest(fmt.Errorf("invalid platform %q", p))
	}
	ro.OS = parts[0]
	if len(parts) > 1 {
		ro.Arch = parts[1]
	}
	if len(parts) > 2 {
		ro.Variant = parts[2]
	}
	return nil
}

// repoOf drops the tag or digest of an image name.
func repoOf(name string) string {
	name, _, _ = strings.Cut(name, "@")
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		return name[:i]
	}
	return name
}

func isImageID(s string) bool {
	s = strings.TrimPrefix(s, "sha256:")
	if len(s) != 64 {
		return false
	}
	return strings.Trim(s, "0123456789abcdef") == ""
}

// message is one line of docker's JSON progress stream; Error is the
// old top-level "error" older clients read beside errorDetail.
type message struct {
	jsonstream.Message
	Error string `json:"error,omitempty"`
}

// progress writes a JSON message stream. The 200 goes out with the first
// message, so an error before it still gets its own status.
type progress struct {
	mu      sync.Mutex
	w       http.ResponseWriter
	started bool
}

func newProgress(w http.ResponseWriter) *progress { return &progress{w: w} }

func (p *progress) start() {
	if !p.started {
		p.started = true
		p.w.Header().Set("Content-Type", "application/json")
		p.w.WriteHeader(http.StatusOK)
	}
}

func (p *progress) send(m message) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.start()
	_ = json.NewEncoder(p.w).Encode(m)
	if f, ok := p.w.(http.Flusher); ok {
		f.Flush()
	}
}

// fail returns err while no message went out, else sends it in-stream.
func (p *progress) fail(err error) error {
	p.mu.Lock()
	started := p.started
	p.mu.Unlock()
	if !started {
		return err
	}
	p.send(message{Message: jsonstream.Message{Error: &jsonstream.Error{Message: err.Error()}}, Error: err.Error()})
	return nil
}

// lineFunc is a writer that calls fn per complete line; the copy may
// write from several goroutines.
func lineFunc(fn func(string)) io.Writer {
	return &lineWriter{fn: fn}
}

type lineWriter struct {
	mu  sync.Mutex
	buf []byte
	fn  func(string)
}

func (l *lineWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, b...)
	for {
		i := bytes.IndexAny(l.buf, "\r\n")
		if i < 0 {
			return len(b), nil
		}
		if line := strings.TrimSpace(string(l.buf[:i])); line != "" {
			l.fn(line)
		}
		l.buf = l.buf[i+1:]
	}
}
