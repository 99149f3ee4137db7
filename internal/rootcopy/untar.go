package rootcopy

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// UntarOptions choose how Untar treats ownership and conflicts.
type UntarOptions struct {
	// Chown, when set, owns every entry by this UID and GID instead of
	// the IDs recorded in the archive.
	Chown *IDPair
	// NoOverwriteDirNonDir refuses to replace a directory by a
	// non-directory or the reverse (docker's default; podman's
	// --overwrite turns it off).
	NoOverwriteDirNonDir bool
}

// IDPair is a numeric owner.
type IDPair struct{ UID, GID int }

// Untar extracts the tar stream rd into the in-root directory dir. Entry
// names are taken relative to dir ("../" cannot climb above it); symlinks
// met on the way, old or just extracted, are resolved inside the root, so
// nothing is ever written outside it.
func (r *Root) Untar(rd io.Reader, dir string, opts UntarOptions) error {
	d, err := r.openat(dir, unix.O_PATH|unix.O_DIRECTORY)
	if errors.Is(err, unix.ENOTDIR) {
		return notDir(dir)
	}
	if err != nil {
		return err
	}
	d.Close()
	dir, err = r.Resolve(dir)
	if err != nil {
		return err
	}
	u := &untarrer{r: r, dir: dir, opts: opts}
	tr := tar.NewReader(rd)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("reading tar stream: %w", err)
		}
		if err := u.entry(hdr, tr); err != nil {
			return err
		}
	}
	return u.finish()
}

type untarrer struct {
	r    *Root
	dir  string
	opts UntarOptions
	// dirTimes are applied last: creating entries changes a directory's
	// modification time.
	dirTimes []dirTime
}

type dirTime struct {
	rel   string
	mtime time.Time
}

// parent opens (creating if missing, like tar) the directory that will
// hold the entry rel, and returns it with the entry's base name.
func (u *untarrer) parent(rel string) (*os.File, string, error) {
	dirRel, base := path.Split(rel)
	p := path.Join(u.dir, dirRel)
	f, err := u.r.openat(p, unix.O_PATH|unix.O_DIRECTORY)
	if errors.Is(err, unix.ENOENT) {
		if err := u.mkdirAll(dirRel); err != nil {
			return nil, "", err
		}
		f, err = u.r.openat(p, unix.O_PATH|unix.O_DIRECTORY)
	}
	if err != nil {
		return nil, "", err
	}
	return f, base, nil
}

// mkdirAll creates the missing directories of rel (below dir), 0755. It
// follows existing symlinks inside the root, like mkdir -p in a chroot.
func (u *untarrer) mkdirAll(rel string) error {
	target, err := u.r.Resolve(path.Join(u.dir, rel))
	if err != nil {
		return err
	}
	cur := "/"
	for _, part := range strings.Split(strings.Trim(target, "/"), "/") {
		if part == "" {
			continue
		}
		pf, err := u.r.openat(cur, unix.O_PATH|unix.O_DIRECTORY)
		if err != nil {
			return err
		}
		err = unix.Mkdirat(int(pf.Fd()), part, 0o755)
		pf.Close()
		if err != nil && !errors.Is(err, unix.EEXIST) {
			return &os.PathError{Op: "mkdir", Path: path.Join(cur, part), Err: err}
		}
		cur = path.Join(cur, part)
	}
	return nil
}

func (u *untarrer) entry(hdr *tar.Header, body io.Reader) error {
	rel := strings.TrimPrefix(path.Clean("/"+hdr.Name), "/")
	if rel == "" {
		return nil // the "." entry: the target directory itself
	}
	pf, base, err := u.parent(rel)
	if err != nil {
		return err
	}
	defer pf.Close()
	pfd := int(pf.Fd())
	show := path.Join(u.dir, rel)

	var st unix.Stat_t
	exists := unix.Fstatat(pfd, base, &st, unix.AT_SYMLINK_NOFOLLOW) == nil
	isDir := hdr.Typeflag == tar.TypeDir
	if exists {
		oldDir := st.Mode&unix.S_IFMT == unix.S_IFDIR
		switch {
		case oldDir && isDir:
			// keep it; only its metadata changes
		case u.opts.NoOverwriteDirNonDir && oldDir:
			return fmt.Errorf("cannot overwrite directory %q with non-directory %q", show, hdr.Name)
		case u.opts.NoOverwriteDirNonDir && isDir:
			return fmt.Errorf("cannot overwrite non-directory %q with directory %q", show, hdr.Name)
		default:
			if err := removeAllAt(pfd, base); err != nil {
				return &os.PathError{Op: "remove", Path: show, Err: err}
			}
			exists = false
		}
	}

	uid, gid := hdr.Uid, hdr.Gid
	if u.opts.Chown != nil {
		uid, gid = u.opts.Chown.UID, u.opts.Chown.GID
	}
	mode := uint32(hdr.Mode & 0o7777)
	switch hdr.Typeflag {
	case tar.TypeDir:
		if !exists {
			if err := unix.Mkdirat(pfd, base, 0o700); err != nil {
				return &os.PathError{Op: "mkdir", Path: show, Err: err}
			}
		}
		u.dirTimes = append(u.dirTimes, dirTime{rel: rel, mtime: hdr.ModTime})
	case tar.TypeReg: // the reader turns old TypeRegA entries into TypeReg
		return u.file(pfd, base, show, body, uid, gid, mode, hdr.ModTime)
	case tar.TypeSymlink:
		if err := unix.Symlinkat(hdr.Linkname, pfd, base); err != nil {
			return &os.PathError{Op: "symlink", Path: show, Err: err}
		}
	case tar.TypeLink:
		target := strings.TrimPrefix(path.Clean("/"+hdr.Linkname), "/")
		tf, tbase, err := u.parent(target)
		if err != nil {
			return err
		}
		// No AT_SYMLINK_FOLLOW: a link to a symlink links the symlink.
		err = unix.Linkat(int(tf.Fd()), tbase, pfd, base, 0)
		tf.Close()
		if err != nil {
			return &os.PathError{Op: "link", Path: show, Err: err}
		}
		return nil
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		kind := uint32(unix.S_IFIFO)
		switch hdr.Typeflag {
		case tar.TypeChar:
			kind = unix.S_IFCHR
		case tar.TypeBlock:
			kind = unix.S_IFBLK
		}
		dev := int(unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor)))
		if err := unix.Mknodat(pfd, base, kind|0o600, dev); err != nil {
			return &os.PathError{Op: "mknod", Path: show, Err: err}
		}
	default:
		return nil // xattr headers and the like carry nothing to create
	}
	return u.meta(pfd, base, show, hdr.Typeflag == tar.TypeSymlink, uid, gid, mode, hdr.ModTime)
}

// file writes a regular file; every change goes through its descriptor.
func (u *untarrer) file(pfd int, base, show string, body io.Reader, uid, gid int, mode uint32, mtime time.Time) error {
	fd, err := unix.Openat(pfd, base, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return &os.PathError{Op: "create", Path: show, Err: err}
	}
	f := os.NewFile(uintptr(fd), show)
	defer f.Close()
	if _, err := io.Copy(f, body); err != nil {
		return fmt.Errorf("writing %s: %w", show, err)
	}
	if err := unix.Fchown(fd, uid, gid); err != nil {
		return &os.PathError{Op: "chown", Path: show, Err: err}
	}
	// chmod after chown: chown clears the setuid and setgid bits.
	if err := unix.Fchmod(fd, mode); err != nil {
		return &os.PathError{Op: "chmod", Path: show, Err: err}
	}
	ts := []unix.Timespec{unix.NsecToTimespec(mtime.UnixNano()), unix.NsecToTimespec(mtime.UnixNano())}
	if err := unix.UtimesNanoAt(pfd, base, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &os.PathError{Op: "utimes", Path: show, Err: err}
	}
	return f.Close()
}

// meta sets owner, mode and times of a new non-regular entry without ever
// following a symlink, even one raced in by a running container.
func (u *untarrer) meta(pfd int, base, show string, symlink bool, uid, gid int, mode uint32, mtime time.Time) error {
	if err := unix.Fchownat(pfd, base, uid, gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &os.PathError{Op: "chown", Path: show, Err: err}
	}
	if !symlink {
		if err := chmodNoFollow(pfd, base, mode); err != nil {
			return &os.PathError{Op: "chmod", Path: show, Err: err}
		}
	}
	ts := []unix.Timespec{unix.NsecToTimespec(mtime.UnixNano()), unix.NsecToTimespec(mtime.UnixNano())}
	if err := unix.UtimesNanoAt(pfd, base, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil && !symlink {
		return &os.PathError{Op: "utimes", Path: show, Err: err}
	}
	return nil
}

// chmodNoFollow changes the mode of base in pfd unless it is a symlink:
// fchmodat cannot refuse to follow one, so the entry is pinned with an
// O_PATH descriptor, checked, and changed through /proc/self/fd.
func chmodNoFollow(pfd int, base string, mode uint32) error {
	fd, err := unix.Openat(pfd, base, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT == unix.S_IFLNK {
		return nil
	}
	return unix.Fchmodat(unix.AT_FDCWD, fmt.Sprintf("/proc/self/fd/%d", fd), mode, 0)
}

// finish sets the directories' times, deepest first.
func (u *untarrer) finish() error {
	for i := len(u.dirTimes) - 1; i >= 0; i-- {
		d := u.dirTimes[i]
		pf, base, err := u.parent(d.rel)
		if err != nil {
			return err
		}
		ts := []unix.Timespec{unix.NsecToTimespec(d.mtime.UnixNano()), unix.NsecToTimespec(d.mtime.UnixNano())}
		_ = unix.UtimesNanoAt(int(pf.Fd()), base, ts, unix.AT_SYMLINK_NOFOLLOW)
		pf.Close()
	}
	return nil
}

// removeAllAt removes base in dirfd and, for a directory, all below it,
// never following symlinks.
func removeAllAt(dirfd int, base string) error {
	err := unix.Unlinkat(dirfd, base, 0)
	if err == nil || errors.Is(err, unix.ENOENT) {
		return nil
	}
	if !errors.Is(err, unix.EISDIR) && !errors.Is(err, unix.EPERM) {
		return err
	}
	fd, err := unix.Openat(dirfd, base, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	d := os.NewFile(uintptr(fd), base)
	names, err := d.Readdirnames(-1)
	if err != nil {
		d.Close()
		return err
	}
	for _, n := range names {
		if err := removeAllAt(fd, n); err != nil {
			d.Close()
			return err
		}
	}
	d.Close()
	return unix.Unlinkat(dirfd, base, unix.AT_REMOVEDIR)
}
