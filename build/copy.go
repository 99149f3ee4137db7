package build

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/image"
	"github.com/berth-dev/berth/internal/lookup"
	"github.com/berth-dev/berth/internal/rootcopy"
	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"go.podman.io/storage/pkg/archive"
)

// copyRequest is a COPY or ADD instruction, its values expanded.
type copyRequest struct {
	kind string // COPY or ADD
	instructions.SourcesAndDest
	from, chown, chmod string
	link, parents      bool
	exclude            []string
	add                bool
	checksum           string
	// keepGitDir keeps .git of an ADD git source (--keep-git-dir).
	keepGitDir bool
}

// ctxEntry is one file of the context that a COPY copies: its host path
// and its name relative to the source it was found under ("" for the
// source itself).
type ctxEntry struct {
	host string
	rel  string
	info fs.FileInfo
}

// ctxSource is one matched source path of the context.
type ctxSource struct {
	name    string // as matched, relative to the context
	info    fs.FileInfo
	entries []ctxEntry // the source and, for a directory, what it holds
	archive bool       // ADD: a local tarball to extract
	// keep is the path COPY --parents recreates under the destination.
	keep string
	// gitCommit, for an ADD git source with its .git, stands for .git in
	// the digest.
	gitCommit string
}

// copy executes COPY or ADD: it resolves the sources (the context, an
// earlier stage or an image), looks the step up in the cache by the digest
// of what it copies, and otherwise writes them into a working container
// of the current image, inside its root (rootcopy), and commits a layer.
func (b *builder) copy(ctx context.Context, s *stageState, r copyRequest) error {
	switch {
	case len(r.SourceContents) > 0 && r.from != "":
		return fmt.Errorf("%s --from cannot copy a heredoc", r.kind)
	}
	if err := checkCopyFlags(r); err != nil {
		return err
	}
	mode, err := parseChmod(r.chmod)
	if err != nil {
		return err
	}
	destIsDir := strings.HasSuffix(r.DestPath, "/") || r.DestPath == "." || strings.HasSuffix(r.DestPath, "/.")
	dest := r.DestPath
	if !path.IsAbs(dest) {
		dest = path.Join(orRoot(s.cfg.WorkingDir), dest)
	}
	dest = path.Clean(dest)
	flags := ""
	if r.from != "" {
		flags += " --from=" + r.from
	}
	if r.chown != "" {
		flags += " --chown=" + r.chown
	}
	if r.chmod != "" {
		flags += " --chmod=" + r.chmod
	}
	flags += copyFlags(r)

	srcB := b
	if dir, ok := b.contextDirNamed(r.from); ok {
		// --from a named directory context: copied like the main context.
		srcB = b.forContext(dir)
	} else if r.from != "" {
		return b.copyFrom(ctx, s, r, dest, destIsDir, flags, mode)
	}
	var sources, urls []ctxSource
	local := r
	local.SourcePaths = nil
	for i, src := range r.SourcePaths {
		if isGitSource(r, src) {
			g, tmp, err := gitAddSource(src, r.keepGitDir)
			if tmp != "" {
				defer os.RemoveAll(tmp)
			}
			if err != nil {
				return err
			}
			urls = append(urls, g)
			continue
		}
		if !isURL(src) {
			local.SourcePaths = append(local.SourcePaths, src)
			continue
		}
		tmp, err := os.MkdirTemp("", "berth-build-url-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		u, err := fetchURL(tmp, i, src, r.checksum)
		if err != nil {
			return err
		}
		urls = append(urls, u)
	}
	if len(local.SourcePaths) > 0 {
		if sources, err = srcB.contextSources(local); err != nil {
			return err
		}
		if sources, err = excludeSources(sources, r.exclude); err != nil {
			return fmt.Errorf("%s: %w", r.kind, err)
		}
	}
	sources = append(sources, urls...)
	if len(r.SourceContents) > 0 {
		tmp, err := os.MkdirTemp("", "berth-build-heredoc-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		docs, err := heredocSources(tmp, r.SourceContents)
		if err != nil {
			return err
		}
		sources = append(sources, docs...)
	}
	if len(sources) > 1 && !destIsDir {
		return fmt.Errorf("when using %s with more than one source file, the destination must be a directory and end with a /", r.kind)
	}
	digest, err := hashSources(sources)
	if err != nil {
		return err
	}
	what := "file"
	if len(sources) > 1 {
		what = "multi"
	} else if sources[0].info.IsDir() {
		what = "dir"
	}
	createdBy := fmt.Sprintf("/bin/sh -c #(nop) %s%s %s:%s in %s", r.kind, flags, what, digest, r.DestPath)
	if b.useCache(ctx, s, createdBy) {
		return nil
	}
	return b.withWorking(ctx, s, createdBy, func(w *image.WorkingContainer) (bool, error) {
		root, err := rootcopy.Open(w.Rootfs)
		if err != nil {
			return false, err
		}
		defer root.Close()
		owner, err := copyOwner(w.Rootfs, r.chown)
		if err != nil {
			return false, err
		}
		for _, src := range sources {
			if src.archive {
				if err := extractArchive(root, src.entries[0].host, dest, r.chown, owner); err != nil {
					return false, err
				}
				continue
			}
			target := dest
			if r.parents && src.keep != "" {
				target = path.Join(dest, src.keep)
			} else if !src.info.IsDir() && (destIsDir || isDir(root, dest)) {
				target = path.Join(dest, path.Base(src.name))
			}
			if err := writeEntries(root, src.entries, target, owner, mode); err != nil {
				return false, err
			}
		}
		return true, nil
	})
}

// contextSources matches the request's sources in the build context.
func (b *builder) contextSources(r copyRequest) ([]ctxSource, error) {
	if b.opts.ContextDir == "" {
		return nil, fmt.Errorf("%s needs a build context, and this build has none", r.kind)
	}
	var out []ctxSource
	for _, src := range r.SourcePaths {
		if strings.Contains(src, "://") || strings.HasPrefix(src, "git@") {
			return nil, fmt.Errorf("%s from %s: only http:// and https:// URLs are supported", r.kind, src)
		}
		clean := filepath.Clean(src)
		if clean == ".." || strings.HasPrefix(clean, "../") {
			return nil, fmt.Errorf("forbidden path outside the build context: %s", src)
		}
		clean = strings.TrimPrefix(filepath.Clean("/"+clean), "/")
		if clean == "" {
			clean = "."
		}
		var matches []string
		if strings.ContainsAny(clean, "*?[") {
			m, err := filepath.Glob(filepath.Join(b.opts.ContextDir, clean))
			if err != nil {
				return nil, fmt.Errorf("%s: bad pattern %q: %w", r.kind, src, err)
			}
			for _, p := range m {
				rel, err := filepath.Rel(b.opts.ContextDir, p)
				if err == nil && !b.ignored(rel) {
					matches = append(matches, rel)
				}
			}
			if len(matches) == 0 {
				return nil, fmt.Errorf("%s %s: no source files were specified (no match in the build context)", r.kind, src)
			}
		} else {
			if b.ignored(clean) {
				return nil, fmt.Errorf("%s %s: no such file or directory in the build context (excluded by the ignore file)", r.kind, src)
			}
			matches = []string{clean}
		}
		for _, m := range matches {
			s, err := b.contextSource(m, r.add)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", r.kind, src, err)
			}
			s.keep = parentsPath(src, m)
			out = append(out, s)
		}
	}
	return out, nil
}

// contextSource lists one matched source, recursively for a directory,
// leaving out what the ignore file excludes.
func (b *builder) contextSource(rel string, add bool) (ctxSource, error) {
	// Symlinks on the way, the source's own included, resolve inside the
	// context (docker's rule): a link cannot copy a host file into the
	// image.
	host, err := securejoin.SecureJoin(b.opts.ContextDir, rel)
	if err != nil {
		return ctxSource{}, err
	}
	info, err := os.Lstat(host)
	if errors.Is(err, os.ErrNotExist) {
		return ctxSource{}, fmt.Errorf("no such file or directory in the build context")
	}
	if err != nil {
		return ctxSource{}, err
	}
	s := ctxSource{name: rel, info: info}
	if !info.IsDir() {
		s.entries = []ctxEntry{{host: host, info: info}}
		s.archive = add && info.Mode().IsRegular() && isArchive(host)
		return s, nil
	}
	err = filepath.WalkDir(host, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		inner, _ := filepath.Rel(host, p)
		ctxRel := filepath.Join(rel, inner)
		if inner != "." && b.ignored(ctxRel) {
			if d.IsDir() && !b.ignore.Exclusions() {
				return filepath.SkipDir
			}
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if inner == "." {
			inner = ""
		}
		s.entries = append(s.entries, ctxEntry{host: p, rel: filepath.ToSlash(inner), info: fi})
		return nil
	})
	return s, err
}

// hashSources digests what the sources hold: names, types, modes, link
// targets and contents (not times), so that touching a file keeps the
// cache and changing it does not.
func hashSources(sources []ctxSource) (string, error) {
	h := sha256.New()
	for _, s := range sources {
		fmt.Fprintf(h, "source %q %v\n", s.name, s.archive)
		if s.gitCommit != "" {
			fmt.Fprintf(h, "commit %s\n", s.gitCommit)
		}
		for _, e := range s.entries {
			if s.gitCommit != "" && (e.rel == ".git" || strings.HasPrefix(e.rel, ".git/")) {
				continue
			}
			fmt.Fprintf(h, "%q %o %d", e.rel, uint32(e.info.Mode()), e.info.Size())
			switch {
			case e.info.Mode()&fs.ModeSymlink != 0:
				target, err := os.Readlink(e.host)
				if err != nil {
					return "", err
				}
				fmt.Fprintf(h, " -> %q", target)
			case e.info.Mode().IsRegular():
				f, err := os.Open(e.host)
				if err != nil {
					return "", err
				}
				_, err = io.Copy(h, f)
				f.Close()
				if err != nil {
					return "", err
				}
			}
			h.Write([]byte{'\n'})
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// writeEntries writes context entries into root at target, as one tar
// stream extracted inside the root (rootcopy): a source directory's
// contents land in target, a file becomes target.
func writeEntries(root *rootcopy.Root, entries []ctxEntry, target string, owner rootcopy.IDPair, mode *int64) error {
	pr, pw := io.Pipe()
	go func() {
		tw := tar.NewWriter(pw)
		err := func() error {
			for _, e := range entries {
				name := strings.TrimPrefix(path.Join(target, e.rel), "/")
				if err := writeHostEntry(tw, e, name, mode); err != nil {
					return err
				}
			}
			return tw.Close()
		}()
		pw.CloseWithError(err)
	}()
	err := root.Untar(pr, "/", rootcopy.UntarOptions{Chown: &owner})
	pr.CloseWithError(io.ErrClosedPipe)
	return err
}

func writeHostEntry(tw *tar.Writer, e ctxEntry, name string, mode *int64) error {
	link := ""
	if e.info.Mode()&fs.ModeSymlink != 0 {
		var err error
		if link, err = os.Readlink(e.host); err != nil {
			return err
		}
	}
	hdr, err := tar.FileInfoHeader(e.info, link)
	if err != nil {
		return err
	}
	hdr.Name = name
	if e.info.IsDir() {
		if name == "" {
			return nil // the root directory itself: leave it as it is
		}
		hdr.Name += "/"
	}
	hdr.Uname, hdr.Gname = "", ""
	if mode != nil && hdr.Typeflag != tar.TypeSymlink {
		hdr.Mode = *mode
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if !e.info.Mode().IsRegular() {
		return nil
	}
	f, err := os.Open(e.host)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.CopyN(tw, f, hdr.Size)
	return err
}

// copyFrom copies from an earlier stage or an image (COPY --from).
func (b *builder) copyFrom(ctx context.Context, s *stageState, r copyRequest, dest string, destIsDir bool, flags string, mode *int64) error {
	src, err := b.fromImage(ctx, r.from)
	if err != nil {
		return err
	}
	if len(r.SourcePaths) > 1 && !destIsDir {
		return fmt.Errorf("when using %s with more than one source file, the destination must be a directory and end with a /", r.kind)
	}
	srcID := ""
	if src != nil {
		srcID = src.ID
	}
	// An image is immutable: its ID and the paths are the content key.
	createdBy := fmt.Sprintf("/bin/sh -c #(nop) %s%s from:%s %s in %s", r.kind, flags, srcID, jsonList(r.SourcePaths), r.DestPath)
	if b.useCache(ctx, s, createdBy) {
		return nil
	}
	sw, err := b.images.NewWorkingContainer(srcID)
	if err != nil {
		return err
	}
	defer func() { _ = b.images.RemoveWorkingContainer(sw) }()
	srcRoot, err := rootcopy.Open(sw.Rootfs)
	if err != nil {
		return err
	}
	defer srcRoot.Close()
	return b.withWorking(ctx, s, createdBy, func(w *image.WorkingContainer) (bool, error) {
		root, err := rootcopy.Open(w.Rootfs)
		if err != nil {
			return false, err
		}
		defer root.Close()
		owner, err := copyOwner(w.Rootfs, r.chown)
		if err != nil {
			return false, err
		}
		for _, p := range r.SourcePaths {
			sp := path.Clean("/" + p)
			info, err := srcRoot.Stat(sp)
			if err != nil {
				return false, fmt.Errorf("%s --from=%s %s: no such file or directory", r.kind, r.from, p)
			}
			target := dest
			if r.parents {
				target = path.Join(dest, parentsPath(p, strings.TrimPrefix(sp, "/")))
			} else if !info.Mode.IsDir() && (destIsDir || isDir(root, dest)) {
				target = path.Join(dest, path.Base(sp))
			}
			if err := copyTree(srcRoot, root, sp, target, owner, mode); err != nil {
				return false, err
			}
		}
		return true, nil
	})
}

// fromImage resolves COPY --from: a stage name, a stage index, or an
// image (pulled according to the pull policy). nil is an empty scratch
// stage.
func (b *builder) fromImage(ctx context.Context, from string) (*define.Image, error) {
	if i, ok := b.stageNames[strings.ToLower(from)]; ok {
		return b.stageImages[i], nil
	}
	from = b.imageNamed(from)
	if n, err := strconv.Atoi(from); err == nil {
		if n < 0 || n >= len(b.stageImages) {
			return nil, fmt.Errorf("--from=%s: no such stage (only %d built before this one)", from, len(b.stageImages))
		}
		return b.stageImages[n], nil
	}
	policy := b.opts.Pull
	if policy == "" {
		policy = image.PullMissing
	}
	imgs, err := b.rt.PullImage(ctx, from, b.pullOptions(from, policy))
	if err != nil {
		return nil, err
	}
	if len(imgs) == 0 {
		return nil, fmt.Errorf("%s: %w", from, define.ErrNoSuchImage)
	}
	return imgs[0], nil
}

// copyTree streams sp of src into dst at target, both inside their roots.
func copyTree(src, dst *rootcopy.Root, sp, target string, owner rootcopy.IDPair, mode *int64) error {
	pr, pw := io.Pipe()
	go func() {
		in, out := io.Pipe()
		go func() { out.CloseWithError(src.Tar(out, sp, strings.TrimPrefix(target, "/"))) }()
		err := rewriteTar(in, pw, func(h *tar.Header) {
			if mode != nil && h.Typeflag != tar.TypeSymlink {
				h.Mode = *mode
			}
		})
		in.CloseWithError(io.ErrClosedPipe)
		pw.CloseWithError(err)
	}()
	err := dst.Untar(pr, "/", rootcopy.UntarOptions{Chown: &owner})
	pr.CloseWithError(io.ErrClosedPipe)
	return err
}

// rewriteTar copies a tar stream, passing each header through fix.
func rewriteTar(r io.Reader, w io.Writer, fix func(*tar.Header)) error {
	tr, tw := tar.NewReader(r), tar.NewWriter(w)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return tw.Close()
		}
		if err != nil {
			return err
		}
		fix(h)
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if _, err := io.Copy(tw, tr); err != nil {
			return err
		}
	}
}

// extractArchive unpacks a local tarball (ADD) into dest, inside the root.
// Entries keep their owners unless --chown was given.
func extractArchive(root *rootcopy.Root, host, dest, chown string, owner rootcopy.IDPair) error {
	if err := mkdirAllIn(root, dest); err != nil {
		return err
	}
	f, err := os.Open(host)
	if err != nil {
		return err
	}
	defer f.Close()
	in, err := archive.DecompressStream(f)
	if err != nil {
		return err
	}
	defer in.Close()
	opts := rootcopy.UntarOptions{}
	if chown != "" {
		opts.Chown = &owner
	}
	return root.Untar(in, dest, opts)
}

// isArchive reports whether a file is a (possibly compressed) tarball.
func isArchive(host string) bool {
	f, err := os.Open(host)
	if err != nil {
		return false
	}
	defer f.Close()
	in, err := archive.DecompressStream(f)
	if err != nil {
		return false
	}
	defer in.Close()
	_, err = tar.NewReader(in).Next()
	return err == nil
}

// copyOwner resolves --chown in the destination root: user[:group] names
// or IDs. Without it files belong to root, as in docker.
func copyOwner(rootfs, chown string) (rootcopy.IDPair, error) {
	if chown == "" {
		return rootcopy.IDPair{}, nil
	}
	u, err := lookup.User(rootfs, chown)
	if err != nil {
		return rootcopy.IDPair{}, fmt.Errorf("--chown=%s: %w", chown, err)
	}
	return rootcopy.IDPair{UID: int(u.UID), GID: int(u.GID)}, nil
}

// parseChmod parses --chmod (octal).
func parseChmod(s string) (*int64, error) {
	if s == "" {
		return nil, nil
	}
	m, err := strconv.ParseUint(s, 8, 32)
	if err != nil || m > 0o7777 {
		return nil, fmt.Errorf("invalid --chmod=%s: an octal mode is expected", s)
	}
	v := int64(m)
	return &v, nil
}

func isDir(root *rootcopy.Root, p string) bool {
	info, err := root.Stat(p)
	return err == nil && info.Mode.IsDir()
}

// mkdirAllIn creates dir (and its parents) inside the root if missing.
func mkdirAllIn(root *rootcopy.Root, dir string) error {
	_, err := mkdirIfMissing(root, dir)
	return err
}

// mkdirIfMissing creates dir (and its parents) inside the root if
// missing, through a one-entry tar stream so that every path is resolved
// in the root, and reports whether it created it.
func mkdirIfMissing(root *rootcopy.Root, dir string) (bool, error) {
	if info, err := root.Stat(dir); err == nil {
		if !info.Mode.IsDir() {
			return false, fmt.Errorf("%s exists and is not a directory", dir)
		}
		return false, nil
	}
	pr, pw := io.Pipe()
	go func() {
		tw := tar.NewWriter(pw)
		err := tw.WriteHeader(&tar.Header{Name: strings.TrimPrefix(path.Clean(dir), "/") + "/", Typeflag: tar.TypeDir, Mode: 0o755})
		if err == nil {
			err = tw.Close()
		}
		pw.CloseWithError(err)
	}()
	err := root.Untar(pr, "/", rootcopy.UntarOptions{Chown: &rootcopy.IDPair{}})
	pr.CloseWithError(io.ErrClosedPipe)
	return err == nil, err
}

// mkdirIn creates WORKDIR's directory in a working container's root.
func mkdirIn(rootfs, dir string) (bool, error) {
	root, err := rootcopy.Open(rootfs)
	if err != nil {
		return false, err
	}
	defer root.Close()
	return mkdirIfMissing(root, dir)
}

// heredocSources writes the heredocs of COPY <<NAME DEST into dir, as the
// files NAME that the step copies (variables in those of an unquoted
// delimiter were expanded by expandCommand).
func heredocSources(dir string, docs []instructions.SourceContent) ([]ctxSource, error) {
	var out []ctxSource
	for _, d := range docs {
		name := filepath.Base(d.Path)
		host := filepath.Join(dir, name)
		if err := os.WriteFile(host, []byte(d.Data), 0o644); err != nil {
			return nil, err
		}
		info, err := os.Lstat(host)
		if err != nil {
			return nil, err
		}
		out = append(out, ctxSource{name: name, info: info, entries: []ctxEntry{{host: host, info: info}}})
	}
	return out, nil
}

// forContext is a builder that reads sources from dir (a named build
// context, without the ignore file), for looking them up only.
func (b *builder) forContext(dir string) *builder {
	return &builder{opts: &Options{ContextDir: dir}}
}

// contextDirNamed returns the directory of a --build-context NAME=DIR.
func (b *builder) contextDirNamed(name string) (string, bool) {
	v, ok := b.opts.BuildContexts[name]
	if !ok || name == "" || strings.HasPrefix(v, "docker-image://") {
		return "", false
	}
	return v, true
}

// imageNamed maps a --build-context NAME=docker-image://REF to REF;
// other names are themselves.
func (b *builder) imageNamed(name string) string {
	if v, ok := b.opts.BuildContexts[name]; ok && strings.HasPrefix(v, "docker-image://") {
		return strings.TrimPrefix(v, "docker-image://")
	}
	return name
}
