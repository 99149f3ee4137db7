package engine

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/rootcopy"
)

// addUserEntriesLocked is podman's /etc/passwd and /etc/group handling,
// run before the user is resolved: --hostuser accounts are copied from
// the host, and a numeric --user UID (and group) without a line gets one
// ("UID:*:UID:GID:container user:WORKDIR:/bin/sh", or --passwd-entry), so
// that whoami, $HOME lookups and ssh work. Lines are appended in the
// container's own files, through in-root resolution, where they stay (as
// in podman); a read-only or --rootfs container gets a copy bind-mounted
// from the bundle instead.
func (c *Container) addUserEntriesLocked(spec *specs.Spec, rootfs, bundle string) error {
	usr, grp, hasGroup := strings.Cut(c.config.User, ":")
	_, uidErr := strconv.ParseUint(usr, 10, 32)
	_, gidErr := strconv.ParseUint(grp, 10, 32)
	if c.config.NoPasswd || (len(c.config.HostUsers) == 0 && uidErr != nil && gidErr != nil) {
		return nil // nothing could be added: skip reading the files
	}
	root, err := rootcopy.Open(rootfs)
	if err != nil {
		return err
	}
	defer root.Close()
	passwd, err := readIfExists(root, "/etc/passwd")
	if err != nil {
		return err
	}
	group, err := readIfExists(root, "/etc/group")
	if err != nil {
		return err
	}
	var pw, gr []byte
	for _, name := range c.config.HostUsers {
		u, err := lookupHostUser(name)
		if err != nil {
			return fmt.Errorf("--hostuser %s: %v: %w", name, err, define.ErrInvalidArg)
		}
		if hasEntry(passwd, 0, u.Username) || hasEntry(passwd, 2, u.Uid) {
			continue
		}
		pw = fmt.Appendf(pw, "%s:x:%s:%s:%s:%s:/bin/sh\n", u.Username, u.Uid, u.Gid, u.Name, u.HomeDir)
	}
	if uid, err := strconv.ParseUint(usr, 10, 32); err == nil && !hasEntry(append(passwd, pw...), 2, usr) {
		gid := "0"
		if _, err := strconv.ParseUint(grp, 10, 32); err == nil {
			gid = grp
		}
		home := spec.Process.Cwd
		if home == "" {
			home = "/"
		}
		if t := c.config.PasswdEntry; t != "" {
			r := strings.NewReplacer("$USERNAME", usr, "$UID", usr, "$GID", gid, "$NAME", "container user", "$HOME", home)
			pw = append(pw, strings.TrimRight(r.Replace(t), "\n")+"\n"...)
		} else {
			pw = fmt.Appendf(pw, "%d:*:%d:%s:container user:%s:/bin/sh\n", uid, uid, gid, home)
		}
	}
	if !hasGroup {
		grp = usr
	}
	if gid, err := strconv.ParseUint(grp, 10, 32); c.config.User != "" && err == nil && !hasEntry(group, 2, grp) {
		if t := c.config.GroupEntry; t != "" {
			r := strings.NewReplacer("$GROUPNAME", grp, "$GID", grp, "$USERLIST", "")
			gr = append(gr, strings.TrimRight(r.Replace(t), "\n")+"\n"...)
		} else {
			gr = fmt.Appendf(gr, "%d:x:%d:%s\n", gid, gid, usr)
		}
	}
	for _, f := range []struct {
		path      string
		old, more []byte
	}{{"/etc/passwd", passwd, pw}, {"/etc/group", group, gr}} {
		if len(f.more) == 0 || mountedAt(spec, f.path) {
			continue
		}
		if !c.config.ReadOnly && c.config.Rootfs == "" {
			err := root.AppendFile(f.path, append(lineEnd(f.old), f.more...))
			if errors.Is(err, fs.ErrExist) {
				// A dangling symlink (to a path outside the image): the
				// file lookups read as empty, and nothing is written.
				continue
			}
			if err != nil {
				return fmt.Errorf("adding to the container's %s: %w", f.path, err)
			}
			continue
		}
		copyPath := filepath.Join(bundle, filepath.Base(f.path))
		if err := os.WriteFile(copyPath, append(append(append([]byte{}, f.old...), lineEnd(f.old)...), f.more...), 0o644); err != nil {
			return err
		}
		spec.Mounts = append(spec.Mounts, specs.Mount{Destination: f.path, Type: "bind", Source: copyPath,
			Options: []string{"bind", "rprivate", "nosuid", "nodev", "noexec"}})
	}
	return nil
}

// lineEnd is the newline a file's last line lacks, if it does.
func lineEnd(old []byte) []byte {
	if len(old) > 0 && old[len(old)-1] != '\n' {
		return []byte{'\n'}
	}
	return nil
}

// mountedAt reports whether the user mounted something at dest.
func mountedAt(spec *specs.Spec, dest string) bool {
	for _, m := range spec.Mounts {
		if filepath.Clean(m.Destination) == dest {
			return true
		}
	}
	return false
}

func readIfExists(root *rootcopy.Root, p string) ([]byte, error) {
	b, err := root.ReadFile(p, 10<<20)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

// hasEntry reports whether a colon-separated line of data has value in
// field i (0: name, 2: the numeric id).
func hasEntry(data []byte, i int, value string) bool {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Split(sc.Text(), ":")
		if len(f) > i && f[i] == value {
			return true
		}
	}
	return false
}

// lookupHostUser finds a host account by name or UID.
func lookupHostUser(name string) (*user.User, error) {
	if _, err := strconv.ParseUint(name, 10, 32); err == nil {
		return user.LookupId(name)
	}
	return user.Lookup(name)
}
