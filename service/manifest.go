package service

import (
	"context"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/image"
	"github.com/opencontainers/go-digest"
)

// ManifestCreateOptions are the options of ManifestCreate.
type ManifestCreateOptions struct {
	RegistryOptions
	// Amend reuses an existing list of that name.
	Amend bool
	// All adds every instance of an added image that is itself a list.
	All bool
}

// ManifestCreate creates a manifest list named name, adds refs to it, and
// returns its ID.
func ManifestCreate(ctx context.Context, rt *engine.Runtime, name string, refs []string, opts ManifestCreateOptions) (string, error) {
	images, err := rt.Images()
	if err != nil {
		return "", err
	}
	id, err := images.ManifestCreate(name, opts.Amend)
	if err != nil {
		return "", err
	}
	for _, ref := range refs {
		if _, err := images.ManifestAdd(ctx, id, ref, image.ManifestAddOptions{RegistryOptions: opts.RegistryOptions, All: opts.All}); err != nil {
			return "", err
		}
	}
	return id, nil
}

// ManifestAdd adds ref (or, with All, each of its instances) to a list
// and returns the list's ID.
func ManifestAdd(ctx context.Context, rt *engine.Runtime, list, ref string, opts ManifestAddOptions) (string, error) {
	images, err := rt.Images()
	if err != nil {
		return "", err
	}
	if _, err := images.ManifestAdd(ctx, list, ref, opts); err != nil {
		return "", err
	}
	img, err := images.Lookup(list)
	if err != nil {
		return "", err
	}
	return img.ID, nil
}

// ManifestRemove removes the instance d from a list and returns the
// list's ID.
func ManifestRemove(rt *engine.Runtime, list string, d digest.Digest) (string, error) {
	images, err := rt.Images()
	if err != nil {
		return "", err
	}
	if err := images.ManifestRemove(list, d); err != nil {
		return "", err
	}
	img, err := images.Lookup(list)
	if err != nil {
		return "", err
	}
	return img.ID, nil
}

// ManifestInspect returns the raw manifest (list) of a local list or
// image, or of a remote reference.
func ManifestInspect(ctx context.Context, rt *engine.Runtime, nameOrID string, ro RegistryOptions) ([]byte, error) {
	images, err := rt.Images()
	if err != nil {
		return nil, err
	}
	return images.ManifestInspect(ctx, nameOrID, ro)
}

// ManifestDelete removes a manifest list from local storage and returns
// its record as it was (for the names untagged).
func ManifestDelete(rt *engine.Runtime, nameOrID string) (*define.Image, error) {
	images, err := rt.Images()
	if err != nil {
		return nil, err
	}
	img, err := images.Lookup(nameOrID)
	if err != nil {
		return nil, err
	}
	if _, err := images.ManifestDelete(img.ID); err != nil {
		return nil, err
	}
	return img, nil
}

// ManifestPushOptions are the options of ManifestPush.
type ManifestPushOptions struct {
	image.ManifestPushOptions
	// DigestFile, when set, receives the digest of the pushed list.
	DigestFile string
	// Remove deletes the local list once it is pushed.
	Remove bool
}

// ManifestPush pushes a list and its instances to destination (empty: the
// list's own name).
func ManifestPush(ctx context.Context, rt *engine.Runtime, list, destination string, opts ManifestPushOptions) (digest.Digest, error) {
	images, err := rt.Images()
	if err != nil {
		return "", err
	}
	dgst, err := images.ManifestPush(ctx, list, destination, opts.ManifestPushOptions)
	if err != nil {
		return "", err
	}
	if opts.DigestFile != "" {
		if err := image.WriteDigestFile(opts.DigestFile, dgst); err != nil {
			return "", err
		}
	}
	if opts.Remove {
		_, err = images.ManifestDelete(list)
	}
	return dgst, err
}

// ManifestAnnotateOptions are the options of ManifestAnnotate.
type ManifestAnnotateOptions = image.ManifestAnnotateOptions

// ManifestAnnotate sets platform fields and annotations on an instance of
// a list (or the list itself) and returns the list's ID.
func ManifestAnnotate(rt *engine.Runtime, list string, d digest.Digest, o ManifestAnnotateOptions) (string, error) {
	images, err := rt.Images()
	if err != nil {
		return "", err
	}
	if err := images.ManifestAnnotate(list, d, o); err != nil {
		return "", err
	}
	img, err := images.Lookup(list)
	if err != nil {
		return "", err
	}
	return img.ID, nil
}

// ManifestExists reports whether a local manifest list of that name or ID
// exists.
func ManifestExists(rt *engine.Runtime, nameOrID string) (bool, error) {
	images, err := rt.Images()
	if err != nil {
		return false, err
	}
	return images.ManifestExists(nameOrID), nil
}
