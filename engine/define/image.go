package define

import (
	"time"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// Image is what the engine knows about one stored image: enough for
// `images`, `image inspect` and for building a container from it.
type Image struct {
	ID           string    `json:"id"`
	Digest       string    `json:"digest,omitempty"`
	Names        []string  `json:"names,omitempty"` // fully qualified, e.g. localhost/busybox:latest
	Digests      []string  `json:"digests,omitempty"`
	Created      time.Time `json:"created"`
	Size         int64     `json:"size"`
	TopLayer     string    `json:"topLayer,omitempty"`
	Layers       []string  `json:"layers,omitempty"` // diff IDs, base first
	Parent       string    `json:"parent,omitempty"`
	Comment      string    `json:"comment,omitempty"`
	Author       string    `json:"author,omitempty"`
	Os           string    `json:"os,omitempty"`
	Arch         string    `json:"architecture,omitempty"`
	Variant      string    `json:"variant,omitempty"`
	ManifestType string    `json:"manifestType,omitempty"`
	// Config is the OCI image config (Env, Cmd, Entrypoint, User, ...).
	Config v1.ImageConfig `json:"config"`
	// Healthcheck is the docker-format config's HEALTHCHECK (OCI configs
	// have none).
	Healthcheck *HealthConfig `json:"healthcheck,omitempty"`
	History     []v1.History  `json:"history,omitempty"`
	// NamesHistory lists the names the image has had, latest first
	// (containers/storage keeps it; `images --history`).
	NamesHistory []string `json:"namesHistory,omitempty"`
	// Dangling is true for an image with no names.
	Dangling bool `json:"dangling,omitempty"`
	// Containers counts the containers made from the image, where the
	// lister filled it in (`images`; podman's ImageSummary.Containers).
	Containers int `json:"containers,omitempty"`
}
