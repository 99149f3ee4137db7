package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/lookup"
	"github.com/berth-dev/berth/internal/rootcopy"
	"go.podman.io/storage/pkg/archive"
	"golang.org/x/sys/unix"
)

// PathStat describes a path in a container (docker's container path
// stat): name, size, mode, modification time and, for a symlink, the
// absolute in-container path it resolves to.
type PathStat = rootcopy.Info

// PutArchiveOptions choose how PutArchive writes into the container.
type PutArchiveOptions struct {
	// ChownToUser owns the extracted files by the container's user
	// (podman's cp --archive, its default) instead of the archive's IDs.
	ChownToUser bool
	// Overwrite lets a directory replace a file and the reverse.
	Overwrite bool
}

// copyRoot is a container's root opened for cp.
type copyRoot struct {
	*rootcopy.Root
	// dir names the root for path-based readers (the user lookup): the
	// mounted rootfs, which the hold keeps, or a /proc/self/fd link to a
	// process's root held open, never a /proc/PID path whose PID could
	// be reused during the copy.
	dir     string
	release func()
}

// openCopyRoot opens the container's root as its processes see it: a
// running container's /proc/PID/root (its mount namespace, so volumes,
// tmpfs mounts and the generated /etc files are seen too), otherwise its
// rootfs, mounted for the duration. The container is held for the copy
// (see container_cp_hold.go): rm waits for it, but the lock is held only
// while choosing, so a long copy never blocks stop or start.
func (c *Container) openCopyRoot() (_ *copyRoot, retErr error) {
	if err := c.lockSync(); err != nil {
		return nil, err
	}
	defer c.lock.Unlock()
	if c.state.Status == define.StatusRemoving {
		return nil, c.removingError("copy files of")
	}
	hold, err := c.holdForCopyLocked()
	if err != nil {
		return nil, err
	}
	defer func() {
		if retErr != nil {
			hold.Close()
		}
	}()
	switch c.state.Status {
	case define.StatusRunning, define.StatusPaused, define.StatusStopping, define.StatusCreated:
		if cr, err := c.openProcessRootLocked(hold); err != nil || cr != nil {
			return cr, err
		}
	}
	dir, err := c.mountRootfsLocked()
	if err != nil {
		return nil, err
	}
	// A stopped container's volumes and bind mounts are copied into and
	// out of, as podman does, through a mount namespace of the copy's own.
	stopNS := func() {}
	var r *rootcopy.Root
	if binds := c.copyBindsLocked(); len(binds) > 0 {
		r, stopNS, err = openRootWithBinds(dir, binds)
	} else {
		r, err = rootcopy.Open(dir)
	}
	if err != nil {
		c.unmountRootfsLocked()
		return nil, err
	}
	return &copyRoot{Root: r, dir: dir, release: func() {
		stopNS()
		c.releaseCopy(c.config.ImageID != "", hold)
	}}, nil
}

// openProcessRootLocked opens the root of the container's process, or
// returns nil when it has none. The process is checked after the open, by
// its start time: a PID the kernel handed to another process after the
// container died would otherwise give the root of a stranger (the host's).
//
// Preconditions: c.lock is held.
func (c *Container) openProcessRootLocked(hold *os.File) (*copyRoot, error) {
	if !c.alive() {
		return nil, nil
	}
	fd, err := unix.Open("/proc/"+strconv.Itoa(c.state.PID)+"/root", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil || !c.alive() {
		if err == nil {
			unix.Close(fd)
		}
		return nil, nil
	}
	dir := "/proc/self/fd/" + strconv.Itoa(fd)
	r, err := rootcopy.Open(dir)
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	return &copyRoot{Root: r, dir: dir, release: func() {
		unix.Close(fd)
		c.releaseCopy(false, hold)
	}}, nil
}

func (cr *copyRoot) close() {
	cr.Close()
	cr.release()
}

// notFound turns a missing path into podman's message.
func (c *Container) notFound(p string, err error) error {
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, unix.ENOTDIR) {
		return fmt.Errorf("%q could not be found on container %s: %w", p, c.config.Name, define.ErrNoSuchPath)
	}
	return fmt.Errorf("container %s: %w", c.config.Name, err)
}

// StatPath describes path p in the container without following a final
// symlink. p is taken relative to the container's "/".
func (c *Container) StatPath(ctx context.Context, p string) (PathStat, error) {
	cr, err := c.openCopyRoot()
	if err != nil {
		return PathStat{}, err
	}
	defer cr.close()
	st, err := cr.Stat(p)
	if err != nil {
		return PathStat{}, c.notFound(p, err)
	}
	return st, nil
}

// GetArchive writes a tar archive of path p to w, with docker's rules
// (the daemon side of `docker cp CTR:SRC`): every symlink in p is followed
// inside the container except a final one, unless p ends in "/" or "/.";
// entries are named after the last element of p as the user wrote it ("."
// for "dir/.", which archives the directory's contents). It returns the
// stat of what was archived.
func (c *Container) GetArchive(ctx context.Context, p string, w io.Writer) (PathStat, error) {
	cr, err := c.openCopyRoot()
	if err != nil {
		return PathStat{}, err
	}
	defer cr.close()
	abs := archive.PreserveTrailingDotOrSeparator(path.Join("/", p), p)
	dir, base := archive.SplitPathDirEntry(abs)
	resolvedDir, err := cr.Resolve(dir)
	if err != nil {
		return PathStat{}, c.notFound(p, err)
	}
	resolved := path.Join(resolvedDir, base)
	if base == "." || abs[len(abs)-1] == '/' {
		// "dir/" and "dir/." assert a directory: follow a final link.
		if resolved, err = cr.Resolve(resolved); err != nil {
			return PathStat{}, c.notFound(p, err)
		}
	}
	st, err := cr.Stat(resolved)
	if err != nil {
		return PathStat{}, c.notFound(p, err)
	}
	if (base == "." || abs[len(abs)-1] == '/') && !st.Mode.IsDir() {
		return PathStat{}, fmt.Errorf("%q is not a directory in container %s: %w", p, c.config.Name, define.ErrInvalidArg)
	}
	if err := ctx.Err(); err != nil {
		return PathStat{}, err
	}
	name := path.Base(abs)
	if base == "." {
		name = "."
	}
	if err := cr.Tar(w, resolved, name); err != nil {
		return PathStat{}, fmt.Errorf("copying %q from container %s: %w", p, c.config.Name, err)
	}
	return st, nil
}

// PutArchive extracts the tar stream r into directory dir of the
// container (the daemon side of `docker cp SRC CTR:DEST`, after the
// client has renamed the archive's entries). dir must exist and be a
// directory; symlinks in it are followed inside the container.
func (c *Container) PutArchive(ctx context.Context, dir string, r io.Reader, opts PutArchiveOptions) error {
	if c.config.ReadOnly {
		// A running read-only container is refused by the kernel too; a
		// stopped one would be written to through its rootfs mount.
		return fmt.Errorf("container %s has a read-only root filesystem: %w", c.config.Name, define.ErrInvalidArg)
	}
	cr, err := c.openCopyRoot()
	if err != nil {
		return err
	}
	defer cr.close()
	st, err := cr.Stat(dir)
	if err == nil && st.Mode&os.ModeSymlink != 0 {
		st, err = cr.Stat(st.LinkTarget)
	}
	if err != nil {
		return c.notFound(dir, err)
	}
	if !st.Mode.IsDir() {
		return fmt.Errorf("extraction point %q in container %s is not a directory: %w", dir, c.config.Name, define.ErrInvalidArg)
	}
	uo := rootcopy.UntarOptions{NoOverwriteDirNonDir: !opts.Overwrite}
	if opts.ChownToUser {
		u, err := lookup.User(cr.dir, c.config.User)
		if err != nil {
			return err
		}
		uo.Chown = &rootcopy.IDPair{UID: int(u.UID), GID: int(u.GID)}
	}
	if err := cr.Untar(ctxReader{ctx: ctx, r: r}, dir, uo); err != nil {
		return fmt.Errorf("copying to %q in container %s: %w", dir, c.config.Name, err)
	}
	return nil
}

// ctxReader stops a copy when its context is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
