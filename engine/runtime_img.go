package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/image"
	"golang.org/x/sys/unix"
)

// RemoveImage removes an image (or one of its names) like `rmi`. An image
// used by containers is refused unless force, which removes those
// containers first.
func (r *Runtime) RemoveImage(ctx context.Context, nameOrID string, force bool) (image.RemoveReport, error) {
	// Exclusive: no create may pick the image between the check of its
	// containers and its deletion.
	release, err := r.imageUseLock(unix.LOCK_EX)
	if err != nil {
		return image.RemoveReport{}, err
	}
	defer release()
	images, err := r.Images()
	if err != nil {
		return image.RemoveReport{}, err
	}
	img, err := images.Lookup(nameOrID)
	if err != nil {
		return image.RemoveReport{}, err
	}
	users, err := r.ContainersUsingImage(img.ID)
	if err != nil {
		return image.RemoveReport{}, err
	}
	if force && len(users) > 0 && (len(img.Names) <= 1 || nameOrID == img.ID || isIDPrefix(nameOrID, img.ID)) {
		// Newest first: a container that joins another's namespaces
		// was created after it, and must go before it.
		for _, id := range slices.Backward(users) {
			c, err := r.containerByID(id)
			if err != nil {
				continue
			}
			if err := r.RemoveContainer(ctx, c, RemoveOptions{Force: true}); err != nil && !errors.Is(err, define.ErrCtrRemoved) {
				return image.RemoveReport{}, err
			}
		}
		// A removal put off by a copy in progress leaves the container,
		// and its rootfs, to the copy: the image must stay too.
		if left, err := r.ContainersUsingImage(img.ID); err != nil {
			return image.RemoveReport{}, err
		} else if len(left) > 0 {
			return image.RemoveReport{}, fmt.Errorf("image used by %s: %w: a copy (cp) into or out of it is in progress", strings.Join(left, ", "), define.ErrImageInUse)
		}
	}
	rep, err := images.Remove(nameOrID, force, func(id string) ([]string, error) {
		ids, err := r.ContainersUsingImage(id)
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
		rep.Parents = r.removeBuildParents(images, img)
	}
	return rep, nil
}

// removeBuildParents removes, after img, the unnamed image img was built
// on by one step, if nothing else uses it (no other child, no container),
// and so on up: docker's rmi removes such untagged parents, and a build's
// intermediate images would otherwise stay behind their final one. A
// parent that cannot go stops the walk (it stays, as an image of its own).
//
// Preconditions: the image-use lock is held exclusively.
func (r *Runtime) removeBuildParents(images *image.Service, img *define.Image) []string {
	var removed []string
	for len(img.History) > 0 && image.IsBuildStep(img.History[len(img.History)-1].CreatedBy) {
		list, err := images.List()
		if err != nil {
			return removed
		}
		var parent *define.Image
		for _, p := range list {
			if len(p.Names) == 0 && image.ChildOf(img, p) {
				parent = p
				break
			}
		}
		if parent == nil {
			return removed
		}
		for _, c := range list {
			if c.ID != parent.ID && image.ChildOf(c, parent) {
				return removed // a sibling still builds on it
			}
		}
		if users, err := r.ContainersUsingImage(parent.ID); err != nil || len(users) > 0 {
			return removed
		}
		rep, err := images.Remove(parent.ID, false, func(string) ([]string, error) { return nil, nil })
		if err != nil || rep.Deleted == "" {
			return removed
		}
		r.event(define.Event{Type: "image", Status: "remove", ID: rep.Deleted, Name: rep.Deleted, Time: time.Now()})
		removed = append(removed, rep.Deleted)
		img = parent
	}
	return removed
}

// The image-use lock closes the race between a create and rmi or image
// prune. A create looks its image up and inserts the container some
// milliseconds apart (spec generation in between), and a never-started container
// has no storage container yet (its rootfs is made at first start), so
// nothing in storage stops the image's deletion meanwhile: only the
// database says it is used. Creates hold the lock shared from the lookup
// to the insert, rmi and prune hold it exclusively from their check of
// the database to the deletion; either the create finds no image, or the
// removal finds the container.

// imageUseLock takes the host-wide image-use lock (LOCK_SH or LOCK_EX)
// and returns its release. It is a file beside the database, on the
// graph root, which every berth sharing the images shares.
func (r *Runtime) imageUseLock(how int) (release func(), err error) {
	f, err := os.OpenFile(filepath.Join(filepath.Dir(r.cfg.dbPath()), "image-use.lock"), os.O_CREATE|os.O_RDWR|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("image use lock: %w", err)
	}
	for {
		err = unix.Flock(int(f.Fd()), how)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("image use lock: %w", err)
	}
	return func() { f.Close() }, nil
}

// HoldImages keeps rmi and image prune from deleting any image until
// release is called: a create holds it from the lookup of its image to
// the insert of the container (NewContainer), so the image cannot go in
// between. It costs one flock.
func (r *Runtime) HoldImages() (release func(), err error) {
	return r.imageUseLock(unix.LOCK_SH)
}

func isIDPrefix(s, id string) bool {
	return len(s) >= 3 && len(s) <= len(id) && id[:len(s)] == s
}
