package cli

import (
	"bytes"
	"encoding/json"
	"os"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// readCommitConfig reads commit --config FILE: an image config as JSON,
// either a whole OCI/docker config ({"config": {...}}) or just its
// "config" object ({"Env": [...], "Cmd": [...]}), as buildah accepts.
func readCommitConfig(path string) (*v1.ImageConfig, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usageError("reading --config file: %v", err)
	}
	var whole struct {
		Config *v1.ImageConfig `json:"config"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&whole); err != nil {
		return nil, usageError("--config %s: not a JSON image config: %v", path, err)
	}
	if whole.Config != nil {
		return whole.Config, nil
	}
	var cfg v1.ImageConfig
	if err := json.Unmarshal(b, &cfg); err != nil {
		return nil, usageError("--config %s: not a JSON image config: %v", path, err)
	}
	return &cfg, nil
}
