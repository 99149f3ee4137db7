package image

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/errdefs"
	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/storage/types"
)

// Tag adds newName (normalized: "busybox" becomes
// "localhost/busybox:latest") to the image nameOrID. Like docker, a name
// already held by another image moves to this one.
func (s *Service) Tag(nameOrID, newName string) error {
	img, _, err := s.resolve(nameOrID)
	if err != nil {
		return err
	}
	full, err := NormalizeName(newName)
	if err != nil {
		return err
	}
	if err := s.cs().AddNames(img.ID, []string{full}); err != nil {
		return fmt.Errorf("tagging image %s as %s: %w", img.ID, full, err)
	}
	return nil
}

// Untag removes name from the image nameOrID, or all its names when name is
// empty. The image itself stays (dangling if it has no name left).
func (s *Service) Untag(nameOrID, name string) error {
	img, _, err := s.resolve(nameOrID)
	if err != nil {
		return err
	}
	if name == "" {
		if err := s.cs().SetNames(img.ID, nil); err != nil {
			return fmt.Errorf("untagging image %s: %w", img.ID, err)
		}
		return nil
	}
	full, err := NormalizeName(name)
	if err != nil {
		return err
	}
	if !slices.Contains(img.Names, full) && !hasDomain(name) {
		// "busybox" also names docker.io/library/busybox:latest.
		if named := namedOrNil(full); named != nil {
			if t, ok := named.(reference.Tagged); ok {
				for _, n := range img.Names {
					if shortMatch(n, reference.Path(named), t.Tag()) {
						full = n
						break
					}
				}
			}
		}
	}
	if !slices.Contains(img.Names, full) {
		return &tagNotKnownError{full}
	}
	if err := s.cs().RemoveNames(img.ID, []string{full}); err != nil {
		return fmt.Errorf("untagging image %s: %w", img.ID, err)
	}
	return nil
}

// RemoveReport says what Remove did, for `rmi` output ("Untagged: ...",
// "Deleted: ...").
type RemoveReport struct {
	Untagged []string
	// Deleted is the ID of the removed image, empty when only a tag went.
	Deleted string
	// Parents are the IDs of the unnamed build-step images that went with
	// it (the engine's RemoveImage), nearest first.
	Parents []string
}

// Remove implements `rmi` like podman. Removing by a name of an image that
// has several names only untags that name. Removing by ID an image with
// several names, or an image used by containers (inUse returns their IDs or
// names), is refused unless force. With force, the caller must already have
// removed its own containers; storage containers still using the image
// (left by other tools or a crash) are deleted here. inUse may be nil.
func (s *Service) Remove(nameOrID string, force bool, inUse func(imageID string) ([]string, error)) (RemoveReport, error) {
	img, matched, err := s.resolve(nameOrID)
	if err != nil {
		return RemoveReport{}, err
	}
	if matched != "" && len(img.Names) > 1 {
		if err := s.cs().RemoveNames(img.ID, []string{matched}); err != nil {
			return RemoveReport{}, fmt.Errorf("untagging image %s: %w", img.ID, err)
		}
		return RemoveReport{Untagged: []string{matched}}, nil
	}
	if matched == "" && len(img.Names) > 1 && !force {
		return RemoveReport{}, errdefs.New(errdefs.ErrConflict, fmt.Sprintf(
			"unable to delete image %q by ID with more than one tag (%s): please force removal", img.ID, strings.Join(img.Names, ", ")))
	}
	if inUse != nil {
		users, err := inUse(img.ID)
		if err != nil {
			return RemoveReport{}, fmt.Errorf("checking containers of image %s: %w", img.ID, err)
		}
		if len(users) > 0 && !force {
			// podman's words, which scripts look for.
			return RemoveReport{}, fmt.Errorf("image used by %s: %w: consider listing external containers and force-removing image", strings.Join(users, ", "), define.ErrImageInUse)
		}
	}
	if force {
		if err := s.deleteStorageContainers(img.ID); err != nil {
			return RemoveReport{}, err
		}
	}
	if _, err := s.cs().DeleteImage(img.ID, true); err != nil {
		if errors.Is(err, types.ErrImageUsedByContainer) {
			return RemoveReport{}, fmt.Errorf("image %s is used by a storage container: %w", img.ID, define.ErrImageInUse)
		}
		if errors.Is(err, types.ErrImageUnknown) {
			return RemoveReport{}, &notKnownError{nameOrID}
		}
		return RemoveReport{}, fmt.Errorf("deleting image %s: %w", img.ID, err)
	}
	return RemoveReport{Untagged: img.Names, Deleted: img.ID}, nil
}

// deleteStorageContainers removes every storage container built on image
// id, so that a forced rmi can succeed.
func (s *Service) deleteStorageContainers(id string) error {
	ctrs, err := s.cs().Containers()
	if err != nil {
		return fmt.Errorf("listing storage containers: %w", err)
	}
	for _, c := range ctrs {
		if c.ImageID != id {
			continue
		}
		if err := s.store.DeleteContainer(c.ID); err != nil {
			return err
		}
	}
	return nil
}

// tagNotKnownError is podman's error for untagging a name the image does
// not have.
type tagNotKnownError struct{ name string }

func (e *tagNotKnownError) Error() string { return e.name + ": tag not known" }
func (e *tagNotKnownError) Unwrap() error { return define.ErrNoSuchImage }
