package api

import (
	"errors"
	"net/http"

	"github.com/berth-dev/berth/internal/errdefs"
)

// statusFromError is the one place errors become HTTP statuses, by the
// category their sentinel wraps (moby's httpstatus.FromError).
func statusFromError(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, errdefs.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, errdefs.ErrInvalidArgument):
		return http.StatusBadRequest
	case errors.Is(err, errdefs.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, errdefs.ErrNotModified):
		return http.StatusNotModified
	case errors.Is(err, errdefs.ErrUnavailable):
		return http.StatusServiceUnavailable
	case errors.Is(err, errdefs.ErrNotImplemented):
		return http.StatusNotImplemented
	case errors.Is(err, errdefs.ErrUnauthorized):
		return http.StatusUnauthorized
	}
	return http.StatusInternalServerError
}

// writeError sends docker's error body, {"message": ...}; a 304 has none.
func writeError(w http.ResponseWriter, err error) {
	status := statusFromError(err)
	if status == http.StatusNotModified {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, map[string]string{"message": err.Error()})
}

// badRequest marks err as the client's fault (400).
func badRequest(err error) error {
	return &categorized{err: err, cat: errdefs.ErrInvalidArgument}
}

type categorized struct {
	err error
	cat error
}

func (e *categorized) Error() string   { return e.err.Error() }
func (e *categorized) Unwrap() []error { return []error{e.err, e.cat} }
