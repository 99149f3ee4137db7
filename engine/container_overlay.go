package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/berth-dev/berth/internal/rootcopy"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Overlay (:O) mounts work as podman's rootful ones do: the source (a
// host directory, or a volume's data) is the lower layer of an overlay
// that the OCI runtime mounts inside the container's mount namespace, so
// nothing is mounted on the host and nothing outlives the container's
// processes. The upper and work directories are made afresh for every run
// under the container's static directory (on disk, not the run root's
// tmpfs) and removed when the container is cleaned up: what the container
// wrote is thrown away and the source never changes. A user's own
// upperdir= and workdir= are the user's to keep and are left alone.

// OverlayMount is what -v SRC:DST:O becomes in the stored spec: an
// overlay mount whose source is the host directory; opts keep U and the
// user's upperdir= and workdir= until a start turns it into the real
// overlay mount (prepareHostMountsLocked).
func OverlayMount(src, dst string, opts []string) specs.Mount {
	return specs.Mount{Destination: dst, Type: "overlay", Source: src, Options: slices.Clone(opts)}
}

// overlayDir holds the upper and work directories of the container's
// overlay mounts for the current run.
func (c *Container) overlayDir() string { return filepath.Join(c.staticDir(), "overlay") }

// removeOverlaysLocked throws away what the container wrote to its
// overlay mounts.
//
// Preconditions: c.lock is held; the container's processes are gone.
func (c *Container) removeOverlaysLocked() error {
	if err := os.RemoveAll(c.overlayDir()); err != nil {
		return fmt.Errorf("container %s: removing its overlay directories: %w", c.config.Name, err)
	}
	return nil
}

// prepareHostMountsLocked readies the user's host mounts for a start: U
// gives a bind mount's source, recursively, to the container's user (as
// podman does; the host directory changes), and an overlay (:O) mount
// gets its upper and work directories, an idmap bind its idmapped
// staging mount (undone here when a later one fails).
//
// Preconditions: c.lock is held; spec's user is resolved.
func (c *Container) prepareHostMountsLocked(spec *specs.Spec) (retErr error) {
	uid, gid := hostOwner(spec)
	defer func() {
		if retErr != nil {
			if err := c.unmountIDMaps(); err != nil {
				warnf("%v", err)
			}
		}
	}()
	for i := range spec.Mounts {
		m := &spec.Mounts[i]
		if (m.Type != "bind" && m.Type != "overlay") || !isUserMount(c.config, m.Destination) {
			continue
		}
		if slices.Contains(m.Options, "U") {
			if err := chownHostPath(m.Source, uid, gid); err != nil {
				return fmt.Errorf("container %s: %s: chown (U) to %d:%d: %w", c.config.Name, m.Source, uid, gid, err)
			}
			m.Options = slices.DeleteFunc(slices.Clone(m.Options), func(o string) bool { return o == "U" })
		}
		if m.Type == "overlay" {
			om, err := c.overlayMountLocked(m.Source, m.Destination, m.Options)
			if err != nil {
				return err
			}
			*m = om
		}
		if m.Type == "bind" && slices.Contains(m.Options, "idmap") {
			if err := c.idmapMountLocked(spec, m, i); err != nil {
				return err
			}
		}
	}
	return nil
}

// overlayMountLocked makes the overlay mount of lower at dest: with the
// user's upperdir= and workdir= from opts, else with fresh ones whose
// root looks like lower's (the merged root shows the upper's owner and
// mode, so a non-root user may write where the source lets it).
//
// Preconditions: c.lock is held.
func (c *Container) overlayMountLocked(lower, dest string, opts []string) (specs.Mount, error) {
	var upper, work string
	for _, o := range opts {
		if v, ok := strings.CutPrefix(o, "upperdir="); ok {
			upper = v
		} else if v, ok := strings.CutPrefix(o, "workdir="); ok {
			work = v
		}
	}
	if upper == "" || work == "" {
		var st unix.Stat_t
		if err := unix.Stat(lower, &st); err != nil {
			return specs.Mount{}, fmt.Errorf("container %s: overlay %s: %w", c.config.Name, dest, &os.PathError{Op: "stat", Path: lower, Err: err})
		}
		if err := os.MkdirAll(c.overlayDir(), 0o700); err != nil {
			return specs.Mount{}, err
		}
		dir, err := os.MkdirTemp(c.overlayDir(), "")
		if err != nil {
			return specs.Mount{}, err
		}
		upper, work = filepath.Join(dir, "upper"), filepath.Join(dir, "work")
		err = errors.Join(os.Mkdir(upper, 0o700), os.Mkdir(work, 0o700))
		if err == nil {
			err = os.Lchown(upper, int(st.Uid), int(st.Gid))
		}
		if err == nil {
			err = unix.Chmod(upper, st.Mode&0o7777)
		}
		if err != nil {
			return specs.Mount{}, fmt.Errorf("container %s: overlay %s: %w", c.config.Name, dest, err)
		}
	}
	return specs.Mount{
		Destination: dest,
		Type:        "overlay",
		Source:      "overlay",
		Options: []string{
			"lowerdir=" + overlayEscape(lower),
			"upperdir=" + overlayEscape(upper),
			"workdir=" + overlayEscape(work),
			"private",
		},
	}, nil
}

// overlayEscape escapes what overlayfs's option parser splits on.
func overlayEscape(p string) string {
	return strings.NewReplacer(`\`, `\\`, `,`, `\,`, `:`, `\:`).Replace(p)
}

// chownHostPath gives the host path p (a directory with all below it, or
// a file) to uid:gid. The walk goes through file descriptors below p's
// parent, so nothing swapped in meanwhile leads it elsewhere.
func chownHostPath(p string, uid, gid int) error {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return err
	}
	root, err := rootcopy.Open(filepath.Dir(real))
	if err != nil {
		return err
	}
	defer root.Close()
	return root.ChownTree(filepath.Base(real), uid, gid)
}
