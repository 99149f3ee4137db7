// Package rootcopy reads and writes files inside a container's root
// filesystem as if that directory were "/": the engine of `cp`.
//
// The container's files are untrusted. A symlink in it may point at "/",
// at "../../.." or at /etc/shadow, and a process in a running container may
// swap a file for a symlink while we copy (the race of CVE-2018-15664).
// Every path is therefore opened with openat2(RESOLVE_IN_ROOT), which makes
// the kernel resolve "..", absolute symlinks and magic links inside the
// root, and every entry of a tree walk is opened relative to its parent's
// file descriptor with O_NOFOLLOW. No code here builds a host path out of a
// container path and hands it to a path-based system call.
package rootcopy

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strings"
	"time"

	securejoin "github.com/cyphar/filepath-securejoin"
	"golang.org/x/sys/unix"
)

// Root is an open directory that stands for "/" of a container.
type Root struct {
	f *os.File
}

// Open opens dir (a mounted rootfs, or /proc/PID/root of a running
// container, which shows its whole mount namespace) as a Root.
func Open(dir string) (*Root, error) {
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: dir, Err: err}
	}
	return &Root{f: os.NewFile(uintptr(fd), dir)}, nil
}

// Close releases the root.
func (r *Root) Close() error { return r.f.Close() }

// resolveFlags keep every lookup inside the root and refuse /proc magic
// links, which could point anywhere.
const resolveFlags = unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS

// openat opens p (an in-root path, absolute or not) relative to the root.
func (r *Root) openat(p string, flags int) (*os.File, error) {
	return openIn(r.f, p, flags)
}

// openIn opens p below dir with in-root resolution; dir acts as "/".
func openIn(dir *os.File, p string, flags int) (*os.File, error) {
	rel := strings.TrimLeft(p, "/")
	if rel == "" {
		rel = "."
	}
	how := unix.OpenHow{Flags: uint64(flags | unix.O_CLOEXEC), Resolve: resolveFlags}
	for {
		fd, err := unix.Openat2(int(dir.Fd()), rel, &how)
		if errors.Is(err, unix.EINTR) || errors.Is(err, unix.EAGAIN) {
			continue // EAGAIN: a rename raced the lookup; retry
		}
		if err != nil {
			return nil, &os.PathError{Op: "openat2", Path: "/" + strings.TrimPrefix(rel, "."), Err: err}
		}
		return os.NewFile(uintptr(fd), path.Join("/", rel)), nil
	}
}

// Info describes one path in the root, as docker's container path stat.
type Info struct {
	Name  string
	Size  int64
	Mode  os.FileMode
	Mtime time.Time
	// UID and GID own the entry.
	UID, GID int
	// LinkTarget is, for a symlink, the absolute in-root path it
	// resolves to (all links followed).
	LinkTarget string
}

// Stat describes p without following a final symlink.
func (r *Root) Stat(p string) (Info, error) {
	f, err := r.openat(p, unix.O_PATH|unix.O_NOFOLLOW)
	if err != nil {
		return Info{}, err
	}
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return Info{}, &os.PathError{Op: "stat", Path: p, Err: err}
	}
	info := Info{
		Name:  path.Base(path.Join("/", p)),
		Size:  st.Size,
		Mode:  fileMode(st.Mode),
		Mtime: time.Unix(st.Mtim.Unix()),
		UID:   int(st.Uid),
		GID:   int(st.Gid),
	}
	if info.Mode&os.ModeSymlink != 0 {
		if info.LinkTarget, err = r.Resolve(p); err != nil {
			return Info{}, err
		}
	}
	return info, nil
}

// Resolve returns the absolute in-root path p leads to, every symlink
// followed inside the root. Missing components are kept as they are, so the
// result names where a new file would be created.
func (r *Root) Resolve(p string) (string, error) {
	// SecureJoinVFS does the lexical walk; every Lstat and Readlink it
	// asks for goes through openat2, so even its probes stay inside.
	joined, err := securejoin.SecureJoinVFS("/", p, rootVFS{r})
	if err != nil {
		return "", err
	}
	return path.Clean("/" + joined), nil
}

// rootVFS answers securejoin's questions about in-root paths.
type rootVFS struct{ r *Root }

func (v rootVFS) Lstat(p string) (os.FileInfo, error) {
	f, err := v.r.openat(p, unix.O_PATH|unix.O_NOFOLLOW)
	if err != nil {
		return nil, unwrapPathErr(err)
	}
	defer f.Close()
	return f.Stat()
}

func (v rootVFS) Readlink(p string) (string, error) {
	f, err := v.r.openat(p, unix.O_PATH|unix.O_NOFOLLOW)
	if err != nil {
		return "", unwrapPathErr(err)
	}
	defer f.Close()
	return readlinkFd(f)
}

// unwrapPathErr gives securejoin the bare errno it tests with IsNotExist.
func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return &os.PathError{Op: pe.Op, Path: pe.Path, Err: pe.Err}
	}
	return err
}

// readlinkFd reads the target of a symlink opened with O_PATH|O_NOFOLLOW.
func readlinkFd(f *os.File) (string, error) {
	buf := make([]byte, 4096)
	for {
		n, err := unix.Readlinkat(int(f.Fd()), "", buf)
		if err != nil {
			return "", &os.PathError{Op: "readlink", Path: f.Name(), Err: err}
		}
		if n < len(buf) {
			return string(buf[:n]), nil
		}
		buf = make([]byte, 2*len(buf))
	}
}

// fileMode converts a stat mode to an os.FileMode.
func fileMode(m uint32) os.FileMode {
	mode := os.FileMode(m & 0o777)
	switch m & unix.S_IFMT {
	case unix.S_IFDIR:
		mode |= os.ModeDir
	case unix.S_IFLNK:
		mode |= os.ModeSymlink
	case unix.S_IFIFO:
		mode |= os.ModeNamedPipe
	case unix.S_IFSOCK:
		mode |= os.ModeSocket
	case unix.S_IFCHR:
		mode |= os.ModeDevice | os.ModeCharDevice
	case unix.S_IFBLK:
		mode |= os.ModeDevice
	}
	if m&unix.S_ISUID != 0 {
		mode |= os.ModeSetuid
	}
	if m&unix.S_ISGID != 0 {
		mode |= os.ModeSetgid
	}
	if m&unix.S_ISVTX != 0 {
		mode |= os.ModeSticky
	}
	return mode
}

// ErrNotDir is returned when an extraction target is not a directory.
var ErrNotDir = errors.New("not a directory")

func notDir(p string) error { return fmt.Errorf("extraction point %q: %w", p, ErrNotDir) }
