package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/berth-dev/berth/internal/errdefs"
)

// Libpod API: podman's own flavour of the API, under /libpod (and
// /v{any version}/libpod), for podman-remote, podman-py and friends. Its
// routes answer in podman's shapes and its errors in podman's body; the
// work is the same service calls the docker routes and the CLI make.
const (
	// LibpodAPIVersion is the podman API version berth's libpod routes
	// follow (podman 5); podman clients accept a server at least as new
	// as their minimum.
	LibpodAPIVersion = "5.0.0"
	// buildahVersion is what podman's ping advertises for builds; berth
	// has no builder, the header only keeps clients that read it happy.
	buildahVersion = "1.33.0"
)

// libpodRouter holds the libpod routes; where podman's route is docker's
// in behaviour and wire format (start, restart, kill, rename, attach,
// resize, exec, tag, changes, export...), it serves the docker router's
// handler under the libpod path.
type libpodRouter struct {
	b       Backend
	ctr     containerRouter
	streams streamRouter
	exec    execRouter
	images  imageRouter
	fs      fsRouter
}

func (rt libpodRouter) register(s *Server) {
	h := s.handleLibpod
	// system
	h("GET /libpod/_ping", rt.ping)
	h("HEAD /libpod/_ping", rt.ping)
	h("GET /libpod/version", rt.version)
	h("GET /libpod/info", rt.info)
	h("GET /libpod/events", rt.events)
	rt.registerContainers(h)
	rt.registerImages(h)
	h("POST /libpod/build", buildRouter{rt.b}.libpodBuild)
	rt.registerPods(h)
	rt.registerVolumes(h)
	rt.registerSecrets(h)
	rt.registerNetworks(h)
	rt.registerKube(h)
	h("/libpod/", func(context.Context, http.ResponseWriter, *http.Request) error { return notFound{} })
}

// handleLibpod registers a libpod route: its errors take podman's shape.
func (s *Server) handleLibpod(pattern string, fn handler) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if err := fn(r.Context(), w, r); err != nil {
			writeLibpodError(w, err)
		}
	})
}

// libpodError is podman's error body (errorhandling.ErrorModel): the
// innermost cause, the whole message and the status again.
type libpodError struct {
	Cause    string `json:"cause"`
	Message  string `json:"message"`
	Response int    `json:"response"`
}

func writeLibpodError(w http.ResponseWriter, err error) {
	status := statusFromError(err)
	if status == http.StatusNotModified {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, libpodError{Cause: rootCause(err).Error(), Message: err.Error(), Response: status})
}

// rootCause follows the wrapping down to the first error that wraps
// nothing (podman's errors.Cause), or only a status category (berth's
// sentinels wrap one); of several wrapped, the first.
func rootCause(err error) error {
	for {
		if isCategory(err) {
			return err
		}
		var next error
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			next = u.Unwrap()
		case interface{ Unwrap() []error }:
			if errs := u.Unwrap(); len(errs) > 0 {
				next = errs[0]
			}
		}
		if next == nil || isCategory(next) {
			return err
		}
		err = next
	}
}

// libpodMajorKey holds the major version of the libpod API a request
// named in its path (/v4.3.1/libpod/...).
type libpodMajorKey struct{}

// libpodMajor is the request's libpod API major version: the current one
// when its path named none.
func libpodMajor(r *http.Request) int {
	if v, ok := r.Context().Value(libpodMajorKey{}).(int); ok {
		return v
	}
	return atoi(LibpodAPIVersion)
}

func isCategory(err error) bool {
	for _, c := range []error{errdefs.ErrNotFound, errdefs.ErrConflict, errdefs.ErrInvalidArgument, errdefs.ErrNotModified, errdefs.ErrUnavailable, errdefs.ErrNotImplemented} {
		if err == c {
			return true
		}
	}
	return false
}

// exists answers podman's .../exists routes: 204 or 404, no body.
func exists(ok bool, err error, w http.ResponseWriter, notFoundErr error) error {
	if err != nil {
		return err
	}
	if !ok {
		return notFoundErr
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// queryList reads a repeated query parameter, also as comma lists.
func queryList(r *http.Request, key string) []string {
	var out []string
	for _, v := range r.URL.Query()[key] {
		for _, p := range strings.Split(v, ",") {
			if p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}
