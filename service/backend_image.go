package service

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/berth-dev/berth/engine/define"
)

// ImageList is `images` with key=value filters, newest first.
func (b *Backend) ImageList(filters []string) ([]*define.Image, error) {
	if err := CheckImageFilters(filters); err != nil {
		return nil, err
	}
	list, err := Images(b.rt)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].Created.After(list[j].Created) })
	if list, err = FilterImagesByTime(b.rt, list, filters); err != nil {
		return nil, err
	}
	out := list[:0:0]
	for _, img := range list {
		if ImageMatches(img, nil, filters) {
			out = append(out, img)
		}
	}
	return out, nil
}

// ImageLookup finds a local image by name, ID or ID prefix.
func (b *Backend) ImageLookup(name string) (*define.Image, error) { return LookupImage(b.rt, name) }

// ImageInspect is `image inspect` of one image.
func (b *Backend) ImageInspect(name string) (*define.InspectImageData, error) {
	img, err := LookupImage(b.rt, name)
	if err != nil {
		return nil, err
	}
	return InspectImage(b.rt, img)
}

// ImageHistory is `history`.
func (b *Backend) ImageHistory(name string) ([]HistoryEntry, error) { return History(b.rt, name) }

// ImageSearch is `search` of term on its registry.
func (b *Backend) ImageSearch(ctx context.Context, term string, opts SearchOptions) ([]SearchResult, error) {
	return Search(ctx, b.rt, term, opts)
}

// ImageTag adds ref to an image.
func (b *Backend) ImageTag(name, ref string) error { return Tag(b.rt, name, []string{ref}) }

// ImageRemove is `rmi` of one image.
func (b *Backend) ImageRemove(ctx context.Context, name string, force bool) (ImageRemoveReport, error) {
	return RemoveImage(ctx, b.rt, name, force)
}

// ImagePrune removes the unused images the filters select (dangling ones
// only unless all) and returns them, so callers can add up their sizes.
func (b *Backend) ImagePrune(ctx context.Context, all bool, filters []string) ([]*define.Image, error) {
	list, err := b.ImageList(filters)
	if err != nil {
		return nil, err
	}
	pass := map[string]*define.Image{}
	for _, img := range list {
		pass[img.ID] = img
	}
	ids, err := PruneImages(ctx, b.rt, ImagePruneOptions{All: all, Filter: func(img *define.Image) bool { return pass[img.ID] != nil }})
	out := make([]*define.Image, 0, len(ids))
	for _, id := range ids {
		if img := pass[id]; img != nil {
			out = append(out, img)
		} else {
			out = append(out, &define.Image{ID: id})
		}
	}
	return out, err
}

// ImagePull pulls ref from a registry. existed says the same image was
// already stored under ref, for docker's "Image is up to date".
func (b *Backend) ImagePull(ctx context.Context, ref string, opts PullOptions) (imgs []*define.Image, existed bool, err error) {
	before, _ := LookupImage(b.rt, ref)
	opts.RegistryOptions.LoopbackInsecure(ref)
	imgs, err = Pull(ctx, b.rt, ref, opts)
	if err != nil {
		return nil, false, err
	}
	existed = before != nil && len(imgs) == 1 && imgs[0].ID == before.ID
	return imgs, existed, nil
}

// ImagePush pushes the local image name to the registry its name points
// at and returns the manifest's digest and size.
func (b *Backend) ImagePush(ctx context.Context, name string, opts PushOptions) (PushReport, error) {
	opts.RegistryOptions.LoopbackInsecure(name)
	return Push(ctx, b.rt, name, name, PushImageOptions{PushOptions: opts})
}

// ImageImport is `import` of a root filesystem tarball.
func (b *Backend) ImageImport(ctx context.Context, r io.Reader, opts ImportOptions) (*define.Image, error) {
	return Import(ctx, b.rt, r, opts)
}

// ImageLoad is `load` of an archive read from r; it returns the names
// (or IDs) loaded.
func (b *Backend) ImageLoad(ctx context.Context, r io.Reader) ([]string, error) {
	return Load(ctx, b.rt, LoadOptions{Reader: r})
}

// ImageSave writes the named images to w as one docker archive.
func (b *Backend) ImageSave(ctx context.Context, names []string, w io.Writer) error {
	for _, n := range names {
		if _, err := LookupImage(b.rt, n); err != nil {
			return err
		}
	}
	return Save(ctx, b.rt, names, SaveOptions{Format: FormatDockerArchive, Writer: w})
}

// ContainerCommit is `commit`.
func (b *Backend) ContainerCommit(ctx context.Context, name string, opts CommitOptions, pause bool) (*define.Image, error) {
	return Commit(ctx, b.rt, name, opts, pause)
}

// RegistryLogin checks credentials against a registry (docker's /auth)
// without storing them: the daemon-side login of docker keeps nothing,
// the client stores what it sent. They go to a throwaway auth file.
func (b *Backend) RegistryLogin(ctx context.Context, server, user, password string) error {
	dir, err := os.MkdirTemp("", "berth-auth-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ro := RegistryOptions{AuthFile: filepath.Join(dir, "auth.json")}
	key, err := RegistryKey(server, ro)
	if err != nil {
		return err
	}
	ro.LoopbackInsecure(key)
	_, err = Login(ctx, key, LoginOptions{RegistryOptions: ro, Username: user, Password: password})
	return err
}
