package service

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/image"
	"github.com/opencontainers/go-digest"
)

// Pull pulls name (a short name, a reference or any transport) and returns
// the images it stored.
func Pull(ctx context.Context, rt *engine.Runtime, name string, opts PullOptions) ([]*define.Image, error) {
	return rt.PullImage(ctx, name, opts)
}

// PushReport is the outcome of Push.
type PushReport struct {
	Digest digest.Digest
	// Size is the pushed manifest's length in bytes.
	Size int
}

// PushImageOptions are the options of Push.
type PushImageOptions struct {
	PushOptions
	// DigestFile, when set, receives the digest of the pushed manifest.
	DigestFile string
}

// Push pushes source to destination (empty: the image's own name).
func Push(ctx context.Context, rt *engine.Runtime, source, destination string, opts PushImageOptions) (PushReport, error) {
	pushed, err := rt.PushImage(ctx, source, destination, opts.PushOptions)
	if err != nil {
		return PushReport{}, err
	}
	if opts.DigestFile != "" {
		if err := image.WriteDigestFile(opts.DigestFile, pushed.Digest); err != nil {
			return PushReport{}, err
		}
	}
	return PushReport{Digest: pushed.Digest, Size: pushed.Size}, nil
}

// Import creates an image from a root filesystem tarball read from r.
func Import(ctx context.Context, rt *engine.Runtime, r io.Reader, opts ImportOptions) (*define.Image, error) {
	images, err := rt.Images()
	if err != nil {
		return nil, err
	}
	img, err := images.Import(ctx, r, opts)
	if err == nil {
		rt.ImageEvent("import", img.ID, firstName(img))
	}
	return img, err
}

// firstName is the image's first name, or its ID when it has none.
func firstName(img *define.Image) string {
	if len(img.Names) > 0 {
		return img.Names[0]
	}
	return img.ID
}

// Load stores the images of an archive and returns their names.
func Load(ctx context.Context, rt *engine.Runtime, opts LoadOptions) ([]string, error) {
	images, err := rt.Images()
	if err != nil {
		return nil, err
	}
	names, err := images.Load(ctx, opts)
	for _, n := range names {
		imageEvent(rt, images, "loaded", n, n)
	}
	return names, err
}

// Save writes the named images to an archive.
func Save(ctx context.Context, rt *engine.Runtime, names []string, opts SaveOptions) error {
	images, err := rt.Images()
	if err != nil {
		return err
	}
	if err := images.Save(ctx, names, opts); err != nil {
		return err
	}
	for _, n := range names {
		imageEvent(rt, images, "save", n, n)
	}
	return nil
}

// Commit creates an image from a container's changes (pausing it
// meanwhile when pause is set).
func Commit(ctx context.Context, rt *engine.Runtime, nameOrID string, opts CommitOptions, pause bool) (*define.Image, error) {
	c, err := rt.LookupContainer(nameOrID)
	if err != nil {
		return nil, err
	}
	return c.Commit(ctx, opts, pause)
}

// PushAllTags pushes every local tag of a repository (docker's push
// -a), in name order, and reports each pushed name to done.
func PushAllTags(ctx context.Context, rt *engine.Runtime, repo string, opts PushImageOptions, done func(name string)) error {
	if strings.Contains(repo, "@") || strings.LastIndex(repo, ":") > strings.LastIndex(repo, "/") {
		return fmt.Errorf("tag can't be used with --all-tags/-a: %w", define.ErrInvalidArg)
	}
	list, err := Images(rt)
	if err != nil {
		return err
	}
	var names []string
	for _, img := range list {
		for _, n := range img.Names {
			if r, _ := SplitRepoTag(n); !strings.Contains(n, "@") && (r == repo || strings.HasSuffix(r, "/"+repo) && !strings.Contains(repo, ".") && !strings.Contains(repo, ":")) {
				names = append(names, n)
			}
		}
	}
	if len(names) == 0 {
		return fmt.Errorf("an image does not exist locally with the tag: %s: %w", repo, define.ErrNoSuchImage)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, err := Push(ctx, rt, n, n, opts); err != nil {
			return err
		}
		if done != nil {
			done(n)
		}
	}
	return nil
}
