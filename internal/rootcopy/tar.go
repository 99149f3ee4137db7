package rootcopy

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"time"

	"golang.org/x/sys/unix"
)

// Tar writes an uncompressed tar archive of the in-root path p to w. A
// final symlink is archived as a link, not followed. Entries are named
// after name: the top entry is name itself, the entries below a directory
// are "name/sub/path" (name "." gives "./sub/path", the contents of a
// directory as docker's "dir/." does).
//
// The walk holds a file descriptor of each directory and opens every entry
// relative to it with O_NOFOLLOW, so a process of a running container that
// swaps an entry for a symlink during the copy gets its symlink archived,
// never the file it points at.
func (r *Root) Tar(w io.Writer, p, name string) error {
	top, err := r.openat(p, unix.O_PATH|unix.O_NOFOLLOW)
	if err != nil {
		return err
	}
	defer top.Close()
	tw := tar.NewWriter(w)
	t := &tarWalker{tw: tw, links: map[[2]uint64]string{}}
	if err := t.entry(top, "", name); err != nil {
		return err
	}
	return tw.Close()
}

type tarWalker struct {
	tw *tar.Writer
	// links maps (dev, inode) of multiply linked files to the name they
	// were first archived under, so later names become hard links.
	links map[[2]uint64]string
}

// entry archives f (opened with O_PATH|O_NOFOLLOW; base is its name in its
// parent, "" for the top) under name, and recurses into directories.
func (t *tarWalker) entry(f *os.File, base, name string) error {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return &os.PathError{Op: "stat", Path: name, Err: err}
	}
	hdr := &tar.Header{
		Name:    name,
		Mode:    int64(st.Mode & 0o7777),
		Uid:     int(st.Uid),
		Gid:     int(st.Gid),
		ModTime: time.Unix(st.Mtim.Unix()),
		Format:  tar.FormatPAX,
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		hdr.Typeflag = tar.TypeDir
		if hdr.Name != "." && hdr.Name != "/" {
			hdr.Name += "/"
		}
		if err := t.tw.WriteHeader(hdr); err != nil {
			return err
		}
		return t.dir(f, name)
	case unix.S_IFLNK:
		target, err := readlinkFd(f)
		if err != nil {
			return err
		}
		hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, target
		return t.tw.WriteHeader(hdr)
	case unix.S_IFREG:
		key := [2]uint64{st.Dev, st.Ino}
		if st.Nlink > 1 {
			if first, ok := t.links[key]; ok {
				hdr.Typeflag, hdr.Linkname = tar.TypeLink, first
				return t.tw.WriteHeader(hdr)
			}
			t.links[key] = name
		}
		// Re-open the very inode we statted for reading; O_PATH fds
		// cannot be read.
		rf, err := reopen(f)
		if err != nil {
			return err
		}
		defer rf.Close()
		hdr.Typeflag, hdr.Size = tar.TypeReg, st.Size
		if err := t.tw.WriteHeader(hdr); err != nil {
			return err
		}
		// Copy exactly the size announced: a file growing or shrinking
		// under us must not corrupt the archive.
		n, err := io.Copy(t.tw, io.LimitReader(rf, st.Size))
		if err != nil {
			return fmt.Errorf("reading %s: %w", name, err)
		}
		if n < st.Size {
			_, err = t.tw.Write(make([]byte, st.Size-n))
			return err
		}
		return nil
	case unix.S_IFCHR, unix.S_IFBLK:
		hdr.Typeflag = tar.TypeChar
		if st.Mode&unix.S_IFMT == unix.S_IFBLK {
			hdr.Typeflag = tar.TypeBlock
		}
		hdr.Devmajor, hdr.Devminor = int64(unix.Major(st.Rdev)), int64(unix.Minor(st.Rdev))
		return t.tw.WriteHeader(hdr)
	case unix.S_IFIFO:
		hdr.Typeflag = tar.TypeFifo
		return t.tw.WriteHeader(hdr)
	}
	return nil // sockets cannot be archived; tar skips them too
}

// dir archives the entries of directory d, sorted by name.
func (t *tarWalker) dir(d *os.File, name string) error {
	rd, err := reopenDir(d)
	if err != nil {
		return err
	}
	names, err := rd.Readdirnames(-1)
	if err != nil {
		rd.Close()
		return fmt.Errorf("reading directory %s: %w", name, err)
	}
	defer rd.Close()
	sort.Strings(names)
	for _, n := range names {
		fd, err := unix.Openat(int(rd.Fd()), n, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if errors.Is(err, unix.ENOENT) {
			continue // removed while we walked
		}
		if err != nil {
			return &os.PathError{Op: "open", Path: path.Join(name, n), Err: err}
		}
		child := os.NewFile(uintptr(fd), n)
		err = t.entry(child, n, path.Join(name, n))
		child.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// reopen opens the regular file behind an O_PATH descriptor for reading,
// through /proc/self/fd, which names that exact inode.
func reopen(f *os.File) (*os.File, error) { return reopenFlags(f, unix.O_RDONLY) }

// reopenFlags is reopen with the open flags given.
func reopenFlags(f *os.File, flags int) (*os.File, error) {
	fd, err := unix.Open(fmt.Sprintf("/proc/self/fd/%d", f.Fd()), flags|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: f.Name(), Err: err}
	}
	return os.NewFile(uintptr(fd), f.Name()), nil
}

// reopenDir opens the directory behind an O_PATH descriptor for listing.
func reopenDir(f *os.File) (*os.File, error) {
	fd, err := unix.Openat(int(f.Fd()), ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: f.Name(), Err: err}
	}
	return os.NewFile(uintptr(fd), f.Name()), nil
}
