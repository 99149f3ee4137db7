package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
)

// secretBackend is what the libpod secret routes need.
type secretBackend interface {
	SecretCreate(name string, data []byte, o service.SecretCreateOptions) (string, error)
	SecretList(filters []string) ([]service.SecretInfo, error)
	SecretInspect(name string, show bool) (*service.SecretInfo, error)
	SecretRemove(name string) (string, error)
}

func (rt libpodRouter) registerSecrets(h func(string, handler)) {
	h("POST /libpod/secrets/create", rt.secretCreate)
	h("GET /libpod/secrets/json", rt.secretList)
	h("GET /libpod/secrets/{name}/json", rt.secretInspect)
	h("GET /libpod/secrets/{name}/exists", rt.secretExists)
	h("DELETE /libpod/secrets/{name}", rt.secretRemove)
}

// secretCreate takes the data as the body and name, driver and labels
// (a JSON object) as query parameters, as podman's API does.
func (rt libpodRouter) secretCreate(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	o := service.SecretCreateOptions{Driver: q.Get("driver"), Replace: boolValue(q.Get("replace"))}
	if o.Driver == "" {
		o.Driver = service.SecretDriverFile
	}
	if l := q.Get("labels"); l != "" {
		if err := json.Unmarshal([]byte(l), &o.Labels); err != nil {
			return fmt.Errorf("invalid labels %q: %v: %w", l, err, define.ErrInvalidArg)
		}
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, service.SecretMaxSize))
	if err != nil {
		return err
	}
	id, err := rt.b.SecretCreate(q.Get("name"), data, o)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"ID": id})
	return nil
}

func (rt libpodRouter) secretList(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	filters, err := decodeFilters(r.URL.Query().Get("filters"))
	if err != nil {
		return err
	}
	list, err := rt.b.SecretList(filters)
	if err != nil {
		return badRequestIf(err)
	}
	writeJSON(w, http.StatusOK, nonNil(list))
	return nil
}

func (rt libpodRouter) secretInspect(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	s, err := rt.b.SecretInspect(r.PathValue("name"), boolValue(r.URL.Query().Get("showsecret")))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s)
	return nil
}

func (rt libpodRouter) secretExists(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	if _, err := rt.b.SecretInspect(r.PathValue("name"), false); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (rt libpodRouter) secretRemove(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	if _, err := rt.b.SecretRemove(r.PathValue("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
