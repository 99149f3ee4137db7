package api

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"

	"github.com/moby/moby/api/types/registry"
)

// registryConfigHeader carries the credentials of every registry a build
// may pull from (docker build sends all it knows: the FROM images are not
// known before the Dockerfile is read).
const registryConfigHeader = "X-Registry-Config"

// buildAuthFile writes the credentials of X-Registry-Config to a private
// auth.json for the build's pulls and returns its path and a function
// that removes it; the path is "" when the header names no credentials.
func buildAuthFile(r *http.Request) (string, func(), error) {
	none := func() {}
	h := r.Header.Get(registryConfigHeader)
	if h == "" {
		return "", none, nil
	}
	var configs map[string]registry.AuthConfig
	if err := decodeHeaderJSON(h, &configs); err != nil {
		return "", none, badRequest(fmt.Errorf("invalid %s header: %v", registryConfigHeader, err))
	}
	type entry struct {
		Auth string `json:"auth"`
	}
	auths := map[string]entry{}
	for server, ac := range configs {
		if ac.ServerAddress != "" {
			server = ac.ServerAddress
		}
		if user, pass := authCreds(ac); user != "" && server != "" {
			auths[server] = entry{Auth: base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))}
		}
	}
	if len(auths) == 0 {
		return "", none, nil
	}
	data, err := json.Marshal(map[string]any{"auths": auths})
	if err != nil {
		return "", none, err
	}
	dir, err := os.MkdirTemp("", "berth-build-auth-")
	if err != nil {
		return "", none, err
	}
	cleanup := func() { _ = os.RemoveAll(dir) }
	path := filepath.Join(dir, "auth.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		cleanup()
		return "", none, err
	}
	return path, cleanup, nil
}
