package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"go.podman.io/storage/pkg/archive"
)

// CopyOptions are the choices of `cp`.
type CopyOptions struct {
	// Source and Dest are "CONTAINER:PATH", a host path, or "-" for a
	// tar stream on Stdin (source) or Stdout (destination).
	Source, Dest string
	// Archive chowns files copied into a container to its user
	// (podman's --archive, on by default); off keeps the archive's IDs.
	Archive bool
	// FollowLink copies what a source symlink points at (-L).
	FollowLink bool
	// Overwrite lets a directory replace a file and the reverse.
	Overwrite bool
	Stdin     io.Reader
	Stdout    io.Writer
}

// copyEnd is one side of a copy: a container path or a host path.
type copyEnd struct {
	ctr  *engine.Container
	path string
}

// ParseCopyArg splits "CONTAINER:PATH" from a host path the way podman
// does: a path that starts with "/" or "." is local even if it holds a
// colon ("./a:b"); "-" is the stdio stream.
func ParseCopyArg(arg string) (container, p string) {
	if arg == "-" || strings.HasPrefix(arg, "/") || strings.HasPrefix(arg, ".") {
		return "", arg
	}
	if c, rest, ok := strings.Cut(arg, ":"); ok {
		return c, rest
	}
	return "", arg
}

// Copy copies files between a container and the host, or between two
// containers, with docker's rules for existing and new destinations,
// trailing "/" and "/." (see archive.PrepareArchiveCopy).
func Copy(ctx context.Context, rt *engine.Runtime, opts CopyOptions) error {
	srcCtr, srcPath := ParseCopyArg(opts.Source)
	dstCtr, dstPath := ParseCopyArg(opts.Dest)
	if srcCtr == "" && dstCtr == "" {
		return fmt.Errorf("copying between two host paths is not supported: one of the paths must be CONTAINER:PATH: %w", define.ErrInvalidArg)
	}
	if srcPath == "" || dstPath == "" {
		return fmt.Errorf("container path must not be empty: %w", define.ErrInvalidArg)
	}
	// Only a host side that is exactly "-" is a stream; "CTR:-" is a file
	// named "-" in the container's working directory, "-x" a host file.
	var src, dst copyEnd
	var err error
	if src, err = lookupEnd(ctx, rt, srcCtr, srcPath); err != nil {
		return err
	}
	if dst, err = lookupEnd(ctx, rt, dstCtr, dstPath); err != nil {
		return err
	}
	switch {
	case src.ctr != nil && dst.ctr != nil:
		return copyBetween(ctx, src, dst, opts)
	case src.ctr != nil:
		return copyFromContainer(ctx, src, dstPath, opts)
	default:
		return copyToContainer(ctx, srcPath, dst, opts)
	}
}

func lookupEnd(ctx context.Context, rt *engine.Runtime, name, p string) (copyEnd, error) {
	if name == "" {
		return copyEnd{path: p}, nil
	}
	c, err := rt.LookupContainer(name)
	if err != nil {
		return copyEnd{}, err
	}
	abs := p
	if !path.IsAbs(p) {
		// Relative to the container's working directory, as podman and
		// docker resolve "CTR:file" and "CTR:.".
		d, err := c.Inspect(ctx, false)
		if err != nil {
			return copyEnd{}, err
		}
		abs = path.Join(d.Config.WorkingDir, p)
	}
	return copyEnd{ctr: c, path: containerPath(abs, p)}, nil
}

// containerPath cleans abs within the container's "/" and keeps the
// trailing "/" or "/." of the path as typed, which decide docker's copy
// semantics.
func containerPath(abs, typed string) string {
	return archive.PreserveTrailingDotOrSeparator(path.Join("/", abs), typed)
}

// sourceInfo resolves the container source for -L and returns the path to
// archive and the name its entries must take.
func sourceInfo(ctx context.Context, src copyEnd, followLink bool) (string, string, error) {
	p, rebase := src.path, ""
	if followLink {
		st, err := src.ctr.StatPath(ctx, p)
		if err == nil && st.Mode&os.ModeSymlink != 0 {
			p, rebase = archive.GetRebaseName(p, st.LinkTarget)
		}
	}
	return p, rebase, nil
}

// copyFromContainer is `cp CTR:SRC HOSTDEST|-`.
func copyFromContainer(ctx context.Context, src copyEnd, dstPath string, opts CopyOptions) (retErr error) {
	p, rebase, err := sourceInfo(ctx, src, opts.FollowLink)
	if err != nil {
		return err
	}
	if dstPath == "-" {
		_, err := src.ctr.GetArchive(ctx, p, opts.Stdout)
		return err
	}
	// Podman 5 refuses /dev/stdout by name, whatever it points at: only
	// "-" streams, and copying onto the link would replace it.
	if dstPath == "/dev/stdout" {
		return notDirOrFile(dstPath)
	}
	dstPath, err = filepath.Abs(dstPath)
	if err != nil {
		return err
	}
	dstPath = archive.PreserveTrailingDotOrSeparator(dstPath, opts.Dest)
	// A device or fifo (/dev/stdout, /dev/null) would be replaced by, or
	// unpacked beside, the copy: refused with podman's message ("-" is the
	// way to stream).
	if fi, err := os.Stat(trimDirAssertion(dstPath)); err == nil && !fi.IsDir() && !fi.Mode().IsRegular() {
		return notDirOrFile(dstPath)
	}
	dstInfo, err := archive.CopyInfoDestinationPath(dstPath)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, archive.ErrNotDirectory) {
			return fmt.Errorf("%q could not be found on the host: %w", dstPath, define.ErrNoSuchPath)
		}
		return err
	}
	if !dstInfo.Exists && (strings.HasSuffix(dstPath, "/") || strings.HasSuffix(dstPath, "/.")) {
		return fmt.Errorf("%q could not be found on the host: %w", dstPath, define.ErrNoSuchPath)
	}
	// Stat first, so that a missing source fails before anything is
	// created on the host.
	srcInfo, err := sourceCopyInfo(ctx, src, p, rebase)
	if err != nil {
		return err
	}
	if err := checkDirToFile(srcInfo, dstInfo); err != nil {
		return err
	}
	return pipeArchive(ctx, src, srcInfo, dstInfo, func(dstDir string, content io.Reader) error {
		// Host files belong to the user running cp, as with docker and podman.
		return copyError(archive.Untar(content, dstDir, &archive.TarOptions{NoLchown: true, NoOverwriteDirNonDir: !opts.Overwrite}))
	})
}

// sourceCopyInfo stats the source path in its container; a symlink named
// with a trailing "/" or "/." counts as the directory it points to.
func sourceCopyInfo(ctx context.Context, src copyEnd, p, rebase string) (archive.CopyInfo, error) {
	st, err := src.ctr.StatPath(ctx, trimDirAssertion(p))
	if err != nil {
		return archive.CopyInfo{}, err
	}
	if st.Mode&os.ModeSymlink != 0 && (strings.HasSuffix(p, "/") || strings.HasSuffix(p, "/.")) {
		st.Mode = os.ModeDir
	}
	return archive.CopyInfo{Path: p, Exists: true, IsDir: st.Mode.IsDir(), RebaseName: rebase}, nil
}

// pipeArchive streams the source container's archive of srcInfo.Path,
// rebased for the destination, into consume, which unpacks it at dstDir.
func pipeArchive(ctx context.Context, src copyEnd, srcInfo, dstInfo archive.CopyInfo, consume func(dstDir string, content io.Reader) error) error {
	pr, pw := io.Pipe()
	errCh := make(chan error, 1)
	go func() {
		_, err := src.ctr.GetArchive(ctx, srcInfo.Path, pw)
		pw.CloseWithError(err)
		errCh <- err
	}()
	dstDir, content, err := archive.PrepareArchiveCopy(pr, srcInfo, dstInfo)
	if err != nil {
		pr.CloseWithError(err)
		<-errCh
		return copyError(err)
	}
	defer content.Close()
	cerr := consume(dstDir, content)
	pr.CloseWithError(io.ErrClosedPipe)
	if gerr := <-errCh; gerr != nil && !errors.Is(gerr, io.ErrClosedPipe) {
		return gerr
	}
	return cerr
}

// checkDirToFile refuses a directory copied onto an existing file, with
// podman's message.
func checkDirToFile(src, dst archive.CopyInfo) error {
	if src.IsDir && dst.Exists && !dst.IsDir {
		return fmt.Errorf("destination must be a directory when copying a directory: %w", define.ErrInvalidArg)
	}
	return nil
}

// notDirOrFile is podman's refusal of a destination that is neither a
// directory nor a regular file.
func notDirOrFile(p string) error {
	return fmt.Errorf("invalid destination: %q must be a directory or a regular file: %w", p, define.ErrInvalidArg)
}

func copyError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, archive.ErrCannotCopyDir):
		return fmt.Errorf("destination must be a directory when copying a directory: %w", define.ErrInvalidArg)
	case errors.Is(err, archive.ErrDirNotExists):
		return fmt.Errorf("destination directory does not exist and the source is not a directory: %w", define.ErrInvalidArg)
	}
	return err
}

// destInfo stats the container destination, following a final symlink
// inside the container, as docker's client does.
func destInfo(ctx context.Context, dst copyEnd) (archive.CopyInfo, error) {
	info := archive.CopyInfo{Path: dst.path}
	st, err := dst.ctr.StatPath(ctx, dst.path)
	if err == nil && st.Mode&os.ModeSymlink != 0 {
		info.Path = archive.PreserveTrailingDotOrSeparator(st.LinkTarget, dst.path)
		st, err = dst.ctr.StatPath(ctx, st.LinkTarget)
	}
	if err == nil {
		if !st.Mode.IsDir() && !st.Mode.IsRegular() {
			return info, notDirOrFile(dst.path)
		}
		info.Exists, info.IsDir = true, st.Mode.IsDir()
		return info, nil
	}
	if !errors.Is(err, define.ErrNoSuchPath) {
		return info, err
	}
	// A new destination needs its parent directory, and "dir/" must
	// exist: podman reports both as not found.
	parent, _ := archive.SplitPathDirEntry(info.Path)
	pst, perr := dst.ctr.StatPath(ctx, parent)
	if perr == nil && pst.Mode&os.ModeSymlink != 0 {
		pst, perr = dst.ctr.StatPath(ctx, pst.LinkTarget)
	}
	if perr != nil || !pst.Mode.IsDir() || strings.HasSuffix(dst.path, "/") {
		return info, err
	}
	return info, nil
}

// copyToContainer is `cp HOSTSRC|- CTR:DEST`.
func copyToContainer(ctx context.Context, srcPath string, dst copyEnd, opts CopyOptions) error {
	dstInfo, err := destInfo(ctx, dst)
	if err != nil {
		return err
	}
	put := engine.PutArchiveOptions{ChownToUser: opts.Archive, Overwrite: opts.Overwrite}
	if srcPath == "-" {
		if !dstInfo.Exists || !dstInfo.IsDir {
			return fmt.Errorf("destination must be a directory when copying from stdin: %w", define.ErrInvalidArg)
		}
		return dst.ctr.PutArchive(ctx, dstInfo.Path, opts.Stdin, put)
	}
	abs, err := filepath.Abs(srcPath)
	if err != nil {
		return err
	}
	abs = archive.PreserveTrailingDotOrSeparator(abs, srcPath)
	srcInfo, err := archive.CopyInfoSourcePath(abs, opts.FollowLink)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%q could not be found on the host: %w", abs, define.ErrNoSuchPath)
		}
		return err
	}
	if err := checkDirToFile(srcInfo, dstInfo); err != nil {
		return err
	}
	content, err := archive.TarResource(srcInfo)
	if err != nil {
		return err
	}
	defer content.Close()
	dstDir, prepared, err := archive.PrepareArchiveCopy(content, srcInfo, dstInfo)
	if err != nil {
		return copyError(err)
	}
	defer prepared.Close()
	return dst.ctr.PutArchive(ctx, dstDir, prepared, put)
}

// copyBetween is `cp CTR1:SRC CTR2:DEST`: one container's archive piped
// into the other's.
func copyBetween(ctx context.Context, src, dst copyEnd, opts CopyOptions) error {
	p, rebase, err := sourceInfo(ctx, src, opts.FollowLink)
	if err != nil {
		return err
	}
	srcInfo, err := sourceCopyInfo(ctx, src, p, rebase)
	if err != nil {
		return err
	}
	dstInfo, err := destInfo(ctx, dst)
	if err != nil {
		return err
	}
	if err := checkDirToFile(srcInfo, dstInfo); err != nil {
		return err
	}
	return pipeArchive(ctx, src, srcInfo, dstInfo, func(dstDir string, content io.Reader) error {
		return dst.ctr.PutArchive(ctx, dstDir, content, engine.PutArchiveOptions{ChownToUser: opts.Archive, Overwrite: opts.Overwrite})
	})
}

// trimDirAssertion drops a trailing "/" or "/." so the path itself can be
// statted.
func trimDirAssertion(p string) string {
	p = strings.TrimSuffix(p, "/.")
	if len(p) > 1 {
		p = strings.TrimRight(p, "/")
	}
	if p == "" {
		return "/"
	}
	return p
}
