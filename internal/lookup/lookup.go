// Package lookup resolves a docker-style user specification ("name",
// "uid", "name:group", ...) and --group-add groups against the /etc/passwd
// and /etc/group files of a container's root filesystem, the way the
// user's process will see them.
//
// The rootfs belongs to an image, so its files are untrusted: /etc/passwd
// may be a symlink to "/", to "../../etc/shadow", to /dev/zero, or a FIFO.
// Files are read with rootcopy.ReadFile (openat2 RESOLVE_IN_ROOT, regular
// files only, size-capped), so nothing outside rootfs is ever read and no
// file can block or feed the reader forever.
package lookup

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"

	"github.com/moby/sys/user"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/rootcopy"
)

// maxFileSize bounds how much of /etc/passwd or /etc/group is read, so an
// image cannot make the engine read a huge file.
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
// files are treated as empty; a passwd or group file that is not a regular
// file, or is larger than 10 MiB, is an invalid-argument error.
//
// groupAdd are --group-add values (group names or numeric gids); they are
// added after the user's own groups, without duplicates, whether or not
// userSpec names a group, as podman does. A numeric gid needs no entry; an
// unknown name is an UnknownGroupError.
func User(rootfs, userSpec string, groupAdd ...string) (*Exec, error) {
	root, err := rootcopy.Open(rootfs)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	passwd, err := readFile(root, "/etc/passwd")
	if err != nil {
		return nil, err
	}
	group, err := readFile(root, "/etc/group")
	if err != nil {
		return nil, err
	}
	out, err := resolve(userSpec, reader(passwd), reader(group))
	if err != nil {
		return nil, err
	}
	if len(groupAdd) == 0 {
		return out, nil
	}
	gids, err := groups(group, groupAdd)
	if err != nil {
		return nil, err
	}
	for _, g := range gids {
		if g != out.GID && !contains(out.AdditionalGids, g) {
			out.AdditionalGids = append(out.AdditionalGids, g)
		}
	}
	return out, nil
}

// readFile reads an in-root file; nil, nil when it does not exist.
func readFile(root *rootcopy.Root, p string) ([]byte, error) {
	data, err := root.ReadFile(p, maxFileSize)
	switch {
	case err == nil:
		if data == nil {
			data = []byte{} // exists, empty: not the same as missing
		}
		return data, nil
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case errors.Is(err, rootcopy.ErrNotRegular), errors.Is(err, rootcopy.ErrTooLarge):
		return nil, fmt.Errorf("the container's %s cannot be used for the user lookup: %w: %w", p, errors.Unwrap(err), define.ErrInvalidArg)
	}
	return nil, fmt.Errorf("the container's %s: %w", p, err)
}

// reader turns file contents into what user.GetExecUser takes: nil for a
// missing file.
func reader(data []byte) io.Reader {
	if data == nil {
		return nil
	}
	return bytes.NewReader(data)
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

// groups resolves --group-add values against the group file's contents
// (nil: no /etc/group).
func groups(groupFile []byte, names []string) ([]uint32, error) {
	var parsed []user.Group
	if groupFile != nil {
		var err error
		if parsed, err = user.ParseGroup(bytes.NewReader(groupFile)); err != nil {
			return nil, fmt.Errorf("parse the container's /etc/group: %w", err)
		}
	}
	out := make([]uint32, 0, len(names))
next:
	for _, g := range names {
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
