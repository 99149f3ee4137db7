package engine

import (
	"fmt"
	"os"
	"path"
	"runtime"
	"slices"
	"sort"
	"strconv"

	"github.com/berth-dev/berth/internal/rootcopy"
	"golang.org/x/sys/unix"
)

// cpBind is a mount of a stopped container that cp must see: a -v/--mount
// bind or a volume's directory, bound at dest.
type cpBind struct {
	src, dest string
	ro        bool
}

// copyBindsLocked lists the binds and volumes of the container, parents
// first. Volumes that are filesystems of their own (mounted only while the
// container runs) are left out: their contents are not reachable.
//
// Preconditions: c.lock is held.
func (c *Container) copyBindsLocked() []cpBind {
	var out []cpBind
	if spec, err := c.runtime.state.ContainerSpec(c.config.ID); err == nil {
		for _, m := range spec.Mounts {
			if m.Type != "bind" && !slices.Contains(m.Options, "bind") && !slices.Contains(m.Options, "rbind") {
				continue
			}
			if _, err := os.Stat(m.Source); err != nil || path.Clean(m.Destination) == "/" {
				continue
			}
			out = append(out, cpBind{src: m.Source, dest: m.Destination, ro: slices.Contains(m.Options, "ro")})
		}
	}
	for _, vm := range c.config.Volumes {
		v, err := c.runtime.volumeByName(vm.Name)
		if err != nil || v.needsMount() || slices.Contains(vm.Options, "O") {
			continue
		}
		out = append(out, cpBind{src: v.MountPoint(), dest: vm.Dest, ro: slices.Contains(vm.Options, "ro")})
	}
	sort.SliceStable(out, func(i, j int) bool { return pathDepth(out[i].dest) < pathDepth(out[j].dest) })
	return out
}

// openRootWithBinds opens rootfs with binds mounted over it, as podman's cp
// sees a stopped container's volumes and bind mounts. The mounts are made
// in a private mount namespace of one OS thread, which lives until the
// returned stop is called: lookups through the root's descriptor cross
// into the binds from any thread, and the host never sees them.
func openRootWithBinds(rootfs string, binds []cpBind) (_ *rootcopy.Root, stop func(), _ error) {
	type result struct {
		r   *rootcopy.Root
		err error
	}
	ready, done := make(chan result, 1), make(chan struct{})
	go func() {
		// The thread is never unlocked: it dies with its namespace when
		// the goroutine returns.
		runtime.LockOSThread()
		r, err := mountBindsInNewNS(rootfs, binds)
		ready <- result{r, err}
		if err != nil {
			return
		}
		<-done
	}()
	res := <-ready
	if res.err != nil {
		return nil, nil, res.err
	}
	return res.r, func() { close(done) }, nil
}

// mountBindsInNewNS must run on a locked OS thread, which it moves to a
// new mount namespace.
func mountBindsInNewNS(rootfs string, binds []cpBind) (*rootcopy.Root, error) {
	if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
		return nil, fmt.Errorf("copy: new mount namespace: %w", err)
	}
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return nil, fmt.Errorf("copy: private mounts: %w", err)
	}
	r, err := rootcopy.Open(rootfs)
	if err != nil {
		return nil, err
	}
	for _, b := range binds {
		if err := bindInto(r, b); err != nil {
			r.Close()
			return nil, err
		}
	}
	return r, nil
}

func bindInto(r *rootcopy.Root, b cpBind) error {
	fi, err := os.Stat(b.src)
	if err != nil {
		return err
	}
	f, err := r.OpenMountpoint(b.dest, fi.IsDir())
	if err != nil {
		return fmt.Errorf("copy: mount point %s: %w", b.dest, err)
	}
	defer f.Close()
	target := "/proc/self/fd/" + strconv.Itoa(int(f.Fd()))
	if err := unix.Mount(b.src, target, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("copy: binding %s at %s: %w", b.src, b.dest, err)
	}
	if !b.ro {
		return nil
	}
	// The old descriptor names the covered directory; the new one the
	// bind's root, which the remount needs.
	m, err := r.OpenMountpoint(b.dest, fi.IsDir())
	if err != nil {
		return err
	}
	defer m.Close()
	if err := unix.Mount("", "/proc/self/fd/"+strconv.Itoa(int(m.Fd())), "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY, ""); err != nil {
		return fmt.Errorf("copy: read-only %s: %w", b.dest, err)
	}
	return nil
}
