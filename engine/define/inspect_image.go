package define

import (
	"time"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// InspectImageData is the JSON of `image inspect` (podman's shape).
type InspectImageData struct {
	ID           string            `json:"Id"`
	Digest       string            `json:"Digest"`
	RepoTags     []string          `json:"RepoTags"`
	RepoDigests  []string          `json:"RepoDigests"`
	Parent       string            `json:"Parent"`
	Comment      string            `json:"Comment"`
	Created      *time.Time        `json:"Created"`
	Config       *v1.ImageConfig   `json:"Config"`
	Version      string            `json:"Version"`
	Author       string            `json:"Author"`
	Architecture string            `json:"Architecture"`
	Os           string            `json:"Os"`
	Size         int64             `json:"Size"`
	VirtualSize  int64             `json:"VirtualSize"`
	GraphDriver  DriverData        `json:"GraphDriver"`
	RootFS       ImageRootFS       `json:"RootFS"`
	Labels       map[string]string `json:"Labels"`
	Annotations  map[string]string `json:"Annotations"`
	ManifestType string            `json:"ManifestType"`
	User         string            `json:"User"`
	History      []v1.History      `json:"History"`
	NamesHistory []string          `json:"NamesHistory"`
	// Healthcheck is the image's HEALTHCHECK (docker-format configs).
	Healthcheck *HealthConfig `json:"Healthcheck,omitempty"`
}

// ImageRootFS lists an image's layers by diff ID.
type ImageRootFS struct {
	Type   string   `json:"Type"`
	Layers []string `json:"Layers"`
}
