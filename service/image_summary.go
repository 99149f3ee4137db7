package service

import (
	"strings"
	"time"

	"github.com/berth-dev/berth/engine/define"
)

// ImageSummary is podman's ImageSummary: a row of GET /libpod/images/json
// and of `images --format json`, and what the remote client reads back.
// IDs carry no "sha256:".
type ImageSummary struct {
	ID          string            `json:"Id"`
	ParentID    string            `json:"ParentId"`
	RepoTags    []string          `json:"RepoTags"`
	RepoDigests []string          `json:"RepoDigests"`
	Created     int64             `json:"Created"`
	Size        int64             `json:"Size"`
	SharedSize  int64             `json:"SharedSize"`
	VirtualSize int64             `json:"VirtualSize"`
	Labels      map[string]string `json:"Labels"`
	Containers  int               `json:"Containers"`
	ReadOnly    bool              `json:"ReadOnly,omitempty"`
	Dangling    bool              `json:"Dangling"`
	Arch        string            `json:"Arch,omitempty"`
	Digest      string            `json:"Digest"`
	// History is the names the image has had, latest first.
	History []string `json:"History,omitempty"`
	Names   []string `json:"Names,omitempty"`
	Os      string   `json:"Os,omitempty"`
}

// NewImageSummary is img's summary.
func NewImageSummary(img *define.Image) ImageSummary {
	return ImageSummary{ID: img.ID, ParentID: img.Parent, RepoTags: nonNilStrings(img.Names), RepoDigests: nonNilStrings(img.Digests),
		Created: img.Created.Unix(), Size: img.Size, VirtualSize: img.Size, Labels: img.Config.Labels,
		Containers: img.Containers, Dangling: img.Dangling || len(img.Names) == 0, Arch: img.Arch, Digest: img.Digest,
		History: img.NamesHistory, Names: img.Names, Os: img.Os}
}

// Image is the image a summary describes, as far as it tells: what
// `images` prints (a remote client's list).
func (s ImageSummary) Image() *define.Image {
	img := &define.Image{ID: strings.TrimPrefix(s.ID, "sha256:"), Parent: s.ParentID, Names: s.Names, Digests: s.RepoDigests,
		Created: time.Unix(s.Created, 0), Size: s.Size, Digest: s.Digest, Dangling: s.Dangling, Containers: s.Containers,
		NamesHistory: s.History, Os: s.Os, Arch: s.Arch}
	if img.Names == nil && len(s.RepoTags) > 0 && !s.Dangling {
		img.Names = s.RepoTags
	}
	img.Config.Labels = s.Labels
	return img
}
