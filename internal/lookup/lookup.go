// Package lookup resolves a docker-style user specification ("name",
// "uid", "name:group", ...) against the /etc/passwd and /etc/group files of
// a container's root filesystem, the way the user's process will see them.
//
// The rootfs belongs to an image, so its files are untrusted: /etc/passwd
// may be a symlink to "/" or "../../etc/shadow". Files are opened with
// openat2(RESOLVE_IN_ROOT) semantics (cyphar/filepath-securejoin's
// pathrs-lite), so a symlink is resolved as if rootfs were "/", and nothing
// outside rootfs is ever read.
package lookup

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"github.com/moby/sys/user"
	"golang.org/x/sys/unix"

	"github.com/berth-dev/berth/engine/define"
)

// maxFileSize bounds how much of /etc/passwd or /etc/group is read, so an
// image cannot make the engine read a huge or endless file.
const maxFileSize = 10 << 20

// Exec is a resolved user: the numeric IDs and home directory the
// container's process runs with.
type Exec struct {
	UID            uint32
	GID            uint32
	AdditionalGids []uint32
	// Home is the user's home directory from passwd, or "/" when the user
	// has no entry (docker's default HOME for unknown uids).
	Home string
}

// UnknownGroupError reports a group name that is not in the container's
// /etc/group. It wraps define.ErrNoSuchUser so the CLI and API treat it like
// an unknown user.
type UnknownGroupError struct{ Group string }

func (e *UnknownGroupError) Error() string {
	return "unable to find group " + e.Group + ": no matching entries in group file"
}

// Unwrap returns define.ErrNoSuchUser.
func (e *UnknownGroupError) Unwrap() error { return define.ErrNoSuchUser }

// UnknownUserError reports a user name that is not in the container's
// /etc/passwd. It wraps define.ErrNoSuchUser.
type UnknownUserError struct{ User string }

func (e *UnknownUserError) Error() string {
	return "unable to find user " + e.User + ": no matching entries in passwd file"
}

// Unwrap returns define.ErrNoSuchUser.
func (e *UnknownUserError) Unwrap() error { return define.ErrNoSuchUser }

// User resolves userSpec against rootfs/etc/passwd and rootfs/etc/group
// with docker's rules: "" is root; a numeric uid without a passwd entry is
// allowed (gid 0 unless given); a name must exist. The supplementary groups
// are those of /etc/group that list the user, and are only used when no
// group is given explicitly (as docker and runc do). Missing passwd or group
// files are treated as empty.
func User(rootfs, userSpec string) (*Exec, error) {
	passwd, err := readInRoot(rootfs, "/etc/passwd")
	if err != nil {
		return nil, err
	}
	group, err := readInRoot(rootfs, "/etc/group")
	if err != nil {
		return nil, err
	}
	return resolve(userSpec, passwd, group)
}

// resolve does the work of User over already-opened files; nil readers mean
// the file does not exist.
func resolve(userSpec string, passwd, group io.Reader) (*Exec, error) {
	name, grp, _ := strings.Cut(userSpec, ":")
	if strings.Contains(grp, ":") {
		return nil, fmt.Errorf("invalid user %q: %w", userSpec, define.ErrInvalidArg)
	}
	if userSpec != "" && name == "" {
		// ":group" alone: docker treats the user as root.
		name = "0"
	}
	defaults := &user.ExecUser{Uid: 0, Gid: 0, Home: "/"}
	eu, err := user.GetExecUser(name+colonIf(grp), defaults, passwd, group)
	if err != nil {
		switch {
		case errors.Is(err, user.ErrNoPasswdEntries):
			return nil, &UnknownUserError{User: name}
		case errors.Is(err, user.ErrNoGroupEntries):
			return nil, &UnknownGroupError{Group: grp}
		case errors.Is(err, user.ErrRange):
			return nil, fmt.Errorf("user %q: ids must be between 0 and %d: %w", userSpec, int32(^uint32(0)>>1), define.ErrInvalidArg)
		}
		return nil, fmt.Errorf("resolve user %q: %w", userSpec, err)
	}
	out := &Exec{UID: uint32(eu.Uid), GID: uint32(eu.Gid), Home: eu.Home}
	if out.Home == "" {
		out.Home = "/"
	}
	for _, g := range eu.Sgids {
		if uint32(g) != out.GID && !contains(out.AdditionalGids, uint32(g)) {
			out.AdditionalGids = append(out.AdditionalGids, uint32(g))
		}
	}
	return out, nil
}

// Groups resolves --group-add values (names or numeric gids) against
// rootfs/etc/group. Numeric gids need no entry; an unknown name is an
// UnknownGroupError.
func Groups(rootfs string, groups []string) ([]uint32, error) {
	if len(groups) == 0 {
		return nil, nil
	}
	data, err := readInRoot(rootfs, "/etc/group")
	if err != nil {
		return nil, err
	}
	var parsed []user.Group
	if data != nil {
		if parsed, err = user.ParseGroup(data); err != nil {
			return nil, fmt.Errorf("parse %s/etc/group: %w", rootfs, err)
		}
	}
	out := make([]uint32, 0, len(groups))
next:
	for _, g := range groups {
		if n, err := strconv.ParseUint(g, 10, 31); err == nil {
			out = append(out, uint32(n))
			continue
		}
		for _, e := range parsed {
			if e.Name == g {
				out = append(out, uint32(e.Gid))
				continue next
			}
		}
		return nil, &UnknownGroupError{Group: g}
	}
	return out, nil
}

// readInRoot opens path inside root without ever leaving it and returns a
// reader over its (bounded) contents; nil, nil when it does not exist.
func readInRoot(root, path string) (io.Reader, error) {
	h, err := pathrs.OpenInRoot(root, path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("open %s in %s: %w", path, root, err)
	}
	defer h.Close()
	f, err := pathrs.Reopen(h, unix.O_RDONLY|unix.O_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("open %s in %s: %w", path, root, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat %s in %s: %w", path, root, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s in %s is not a regular file: %w", path, root, define.ErrInvalidArg)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s in %s: %w", path, root, err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("%s in %s is larger than %d bytes: %w", path, root, maxFileSize, define.ErrInvalidArg)
	}
	return strings.NewReader(string(data)), nil
}

func colonIf(grp string) string {
	if grp == "" {
		return ""
	}
	return ":" + grp
}

func contains(s []uint32, v uint32) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
