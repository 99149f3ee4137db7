package image

import (
	"fmt"

	"go.podman.io/image/v5/docker/reference"
)

// TreeLayer is one layer of `image tree`: its uncompressed size and the
// tags of the images whose top layer it is.
type TreeLayer struct {
	ID       string
	Size     int64
	Tags     []string
	Children []*TreeLayer
}

// ImageTree is an image with its layer chain, bottom layer first; with
// children asked for, Top carries every layer built on the image's top
// layer (podman's --whatrequires).
type ImageTree struct {
	ID     string
	Tags   []string
	Size   int64
	Layers []*TreeLayer
	Top    *TreeLayer
}

// Tree lays out the layers of nameOrID as `image tree` shows them, from the
// store's layer parent links.
func (s *Service) Tree(nameOrID string) (*ImageTree, error) {
	img, _, err := s.resolve(nameOrID)
	if err != nil {
		return nil, err
	}
	size, err := s.cs().ImageSize(img.ID)
	if err != nil {
		return nil, fmt.Errorf("image %s size: %w", img.ID, err)
	}
	layers, err := s.cs().Layers()
	if err != nil {
		return nil, fmt.Errorf("listing layers: %w", err)
	}
	imgs, err := s.cs().Images()
	if err != nil {
		return nil, fmt.Errorf("listing images: %w", err)
	}
	nodes := make(map[string]*TreeLayer, len(layers))
	parent := make(map[string]string, len(layers))
	for _, l := range layers {
		nodes[l.ID] = &TreeLayer{ID: l.ID, Size: l.UncompressedSize}
		parent[l.ID] = l.Parent
	}
	for _, l := range layers {
		if p := nodes[l.Parent]; p != nil {
			p.Children = append(p.Children, nodes[l.ID])
		}
	}
	for _, im := range imgs {
		if n := nodes[im.TopLayer]; n != nil {
			for _, t := range repoTags(im.Names) {
				if !contains(n.Tags, t) {
					n.Tags = append(n.Tags, t)
				}
			}
		}
	}
	t := &ImageTree{ID: img.ID, Tags: repoTags(img.Names), Size: size, Top: nodes[img.TopLayer]}
	for id := img.TopLayer; id != "" && nodes[id] != nil; id = parent[id] {
		t.Layers = append([]*TreeLayer{nodes[id]}, t.Layers...)
	}
	return t, nil
}

// repoTags keeps the names that carry a tag (podman's RepoTags).
func repoTags(names []string) []string {
	tags := []string{}
	for _, n := range names {
		if r, err := reference.ParseNormalizedNamed(n); err == nil {
			if _, ok := r.(reference.NamedTagged); ok {
				tags = append(tags, n)
			}
		}
	}
	return tags
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
