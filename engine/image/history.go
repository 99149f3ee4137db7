package image

import (
	"fmt"
	"time"
)

// HistoryEntry is one step of an image's history, newest first, as
// `history` prints it.
type HistoryEntry struct {
	// ID is the image ID for the newest entry and "" for the steps below
	// it, which have no image of their own (podman prints "<missing>").
	ID        string
	Created   time.Time
	CreatedBy string
	// Size is the uncompressed size of the layer the step created, 0 for
	// steps that only changed the config.
	Size       int64
	Comment    string
	EmptyLayer bool
	// Tags are the image's names, on the newest entry only.
	Tags []string
}

// History returns the history of nameOrID from its config, newest first,
// with each non-empty step's layer size read from the store.
func (s *Service) History(nameOrID string) ([]HistoryEntry, error) {
	img, _, err := s.resolve(nameOrID)
	if err != nil {
		return nil, err
	}
	_, _, cfg, err := s.manifestAndConfig(img)
	if err != nil {
		return nil, err
	}
	// Layer sizes by position: walk the layer chain from the top down;
	// the config's diff IDs list the same layers bottom up.
	var sizes []int64
	for id := img.TopLayer; id != ""; {
		l, err := s.cs().Layer(id)
		if err != nil {
			return nil, fmt.Errorf("image %s layer %s: %w", img.ID, id, err)
		}
		sizes = append([]int64{l.UncompressedSize}, sizes...)
		id = l.Parent
	}
	entries := make([]HistoryEntry, 0, len(cfg.History))
	layer := 0
	for _, h := range cfg.History {
		e := HistoryEntry{CreatedBy: h.CreatedBy, Comment: h.Comment, EmptyLayer: h.EmptyLayer}
		if h.Created != nil {
			e.Created = *h.Created
		}
		if !h.EmptyLayer {
			if layer < len(sizes) {
				e.Size = sizes[layer]
			}
			layer++
		}
		entries = append(entries, e)
	}
	if len(entries) == 0 {
		// An image without history still has layers worth showing.
		for _, sz := range sizes {
			entries = append(entries, HistoryEntry{Size: sz})
		}
	}
	// Newest first.
	for i, j := 0, len(entries)-1; i < j; i, j = i+1, j-1 {
		entries[i], entries[j] = entries[j], entries[i]
	}
	if len(entries) > 0 {
		entries[0].ID = img.ID
		entries[0].Tags = append([]string(nil), img.Names...)
	}
	return entries, nil
}
