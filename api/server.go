// Package api serves the Docker Engine API over berth's service layer:
// one router per resource, each declaring the small backend interface it
// needs; handlers return errors and one function maps them to statuses.
package api

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/berth-dev/berth/internal/errdefs"
)

// API versions served: docker CLI 28 and compose negotiate down to what
// the server offers; older clients down to 1.24 keep working.
const (
	APIVersion    = "1.51"
	MinAPIVersion = "1.24"
)

// handler is the shape of every route: errors go through writeError.
type handler func(ctx context.Context, w http.ResponseWriter, r *http.Request) error

// Server is the HTTP side of `system service`.
type Server struct {
	mux *http.ServeMux
	// active counts requests in flight, last is when the last one ended:
	// the idle timer of `system service -t` reads both.
	active atomic.Int64
	mu     sync.Mutex
	last   time.Time
}

// Backend is everything the routers need; service.Backend satisfies it.
type Backend interface {
	systemBackend
	containerBackend
	streamBackend
	fsBackend
	eventsBackend
	execBackend
	networkBackend
	volumeBackend
	imageBackend
	libpodContainerBackend
	libpodResourceBackend
	podBackend
	diskBackend
	updateBackend
	buildBackend
	secretBackend
	kubeBackend
}

// New builds the routes over b.
func New(b Backend) *Server {
	s := &Server{mux: http.NewServeMux(), last: time.Now()}
	systemRouter{b}.register(s)
	containerRouter{b}.register(s)
	fsRouter{b}.register(s)
	eventsRouter{b}.register(s)
	imageRouter{b}.register(s)
	buildRouter{b}.register(s)
	s.handle("/", func(context.Context, http.ResponseWriter, *http.Request) error {
		return notFound{}
	})
	rs := &resizers{m: map[string]chan [2]uint16{}}
	streams := streamRouter{b: b, resizers: rs}
	streams.register(s)
	exec := execRouter{b: b, resizers: rs, requests: &execRequests{m: map[string]*execEntry{}}}
	exec.register(s)
	networkRouter{b}.register(s)
	volumeRouter{b}.register(s)
	libpodRouter{b: b, ctr: containerRouter{b}, streams: streams, exec: exec, images: imageRouter{b}, fs: fsRouter{b}}.register(s)
	diskRouter{b}.register(s)
	updateRouter{b}.register(s)
	return s
}

// handle registers pattern ("METHOD /path/{x}") for fn.
func (s *Server) handle(pattern string, fn handler) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if err := fn(r.Context(), w, r); err != nil {
			writeError(w, err)
		}
	})
}

var (
	versionPrefix = regexp.MustCompile(`^/v(\d+\.\d+)(/|$)`)
	// libpodPrefix is podman's: any version (clients send their own, as
	// /v4.3.1/libpod/...), no minimum.
	libpodPrefix = regexp.MustCompile(`^/v(\d+)(\.\d+)*/libpod(/|$)`)
)

// ServeHTTP strips the /vX.Y prefix (refusing versions below the minimum),
// sets docker's headers and dispatches.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.active.Add(1)
	defer func() {
		s.mu.Lock()
		s.last = time.Now()
		s.mu.Unlock()
		s.active.Add(-1)
	}()
	h := w.Header()
	h.Set("Api-Version", APIVersion)
	h.Set("Ostype", "linux")
	h.Set("Server", "berth")
	if m := libpodPrefix.FindStringSubmatch(r.URL.Path); m != nil {
		r.URL.Path = r.URL.Path[strings.Index(r.URL.Path, "/libpod"):]
		r.URL.RawPath = ""
		r = r.WithContext(context.WithValue(r.Context(), libpodMajorKey{}, atoi(m[1])))
	} else if m := versionPrefix.FindStringSubmatch(r.URL.Path); m != nil {
		if versionLess(m[1], MinAPIVersion) {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": "client version " + m[1] + " is too old. Minimum supported API version is " + MinAPIVersion + ", please upgrade your client to a newer version"})
			return
		}
		r.URL.Path = strings.TrimPrefix(r.URL.Path, "/v"+m[1])
		if r.URL.Path == "" {
			r.URL.Path = "/"
		}
		r.URL.RawPath = ""
	}
	s.mux.ServeHTTP(w, r)
}

// IdleSince reports when the server last had no request in flight, or
// the zero time while one is.
func (s *Server) IdleSince() time.Time {
	if s.active.Load() > 0 {
		return time.Time{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

// versionLess compares "1.24"-style versions.
func versionLess(a, b string) bool {
	am, an, _ := strings.Cut(a, ".")
	bm, bn, _ := strings.Cut(b, ".")
	if atoi(am) != atoi(bm) {
		return atoi(am) < atoi(bm)
	}
	return atoi(an) < atoi(bn)
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return n
		}
		n = n*10 + int(c-'0')
	}
	return n
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// notFound answers routes berth does not serve, in docker's words.
type notFound struct{}

func (notFound) Error() string { return "page not found" }
func (notFound) Unwrap() error { return errdefs.ErrNotFound }
