package engine

import (
	"context"
	"errors"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/image"
)

// RemoveImage removes an image (or one of its names) like `rmi`. An image
// used by containers is refused unless force, which removes those
// containers first.
func (r *Runtime) RemoveImage(ctx context.Context, nameOrID string, force bool) (image.RemoveReport, error) {
	images, err := r.Images()
	if err != nil {
		return image.RemoveReport{}, err
	}
	img, err := images.Lookup(nameOrID)
	if err != nil {
		return image.RemoveReport{}, err
	}
	users, err := r.state.ContainersUsingImage(img.ID)
	if err != nil {
		return image.RemoveReport{}, err
	}
	if force && len(users) > 0 && (len(img.Names) <= 1 || nameOrID == img.ID || isIDPrefix(nameOrID, img.ID)) {
		for _, id := range users {
			c, err := r.containerByID(id)
			if err != nil {
				continue
			}
			if err := r.RemoveContainer(ctx, c, RemoveOptions{Force: true}); err != nil && !errors.Is(err, define.ErrCtrRemoved) {
				return image.RemoveReport{}, err
			}
		}
	}
	rep, err := images.Remove(nameOrID, force, func(id string) ([]string, error) {
		ids, err := r.state.ContainersUsingImage(id)
		if err != nil {
			return nil, err
		}
		names := make([]string, 0, len(ids))
		for _, cid := range ids {
			if rec, err := r.state.Container(cid); err == nil {
				names = append(names, rec.Config.ID)
			}
		}
		return names, nil
	})
	if err != nil {
		return rep, err
	}
	for _, n := range rep.Untagged {
		r.event(define.Event{Type: "image", Status: "untag", ID: img.ID, Name: n, Time: time.Now()})
	}
	if rep.Deleted != "" {
		r.event(define.Event{Type: "image", Status: "remove", ID: rep.Deleted, Name: nameOrID, Time: time.Now()})
	}
	return rep, nil
}

func isIDPrefix(s, id string) bool {
	return len(s) >= 3 && len(s) <= len(id) && id[:len(s)] == s
}
