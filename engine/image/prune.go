package image

import (
	"errors"
	"fmt"

	"github.com/berth-dev/berth/engine/define"
	"go.podman.io/storage/types"
)

// RemoveUnused deletes the image id with all its names, for `image
// prune`: unlike Remove it needs no force for an image with several
// names, and it never deletes storage containers, so an image still used
// by one (of berth or another tool) is refused with ErrImageInUse.
func (s *Service) RemoveUnused(id string) (RemoveReport, error) {
	img, err := s.cs().Image(id)
	if err != nil {
		if errors.Is(err, types.ErrImageUnknown) {
			return RemoveReport{}, &notKnownError{id}
		}
		return RemoveReport{}, fmt.Errorf("image %s: %w", id, err)
	}
	if _, err := s.cs().DeleteImage(img.ID, true); err != nil {
		switch {
		case errors.Is(err, types.ErrImageUsedByContainer):
			return RemoveReport{}, fmt.Errorf("image %s is used by a storage container: %w", img.ID, define.ErrImageInUse)
		case errors.Is(err, types.ErrImageUnknown):
			return RemoveReport{}, &notKnownError{id}
		}
		return RemoveReport{}, fmt.Errorf("deleting image %s: %w", img.ID, err)
	}
	return RemoveReport{Untagged: img.Names, Deleted: img.ID}, nil
}
