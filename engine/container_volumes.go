package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/fault"
	"github.com/berth-dev/berth/internal/rootcopy"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// prepareVolumes creates the volumes a new container needs: an anonymous
// one for every mount without a name (which gets the new volume's name),
// and the named ones that do not exist yet (created on first use, as in
// podman and docker). The returned function removes what it created, for
// the caller's rollback. The store then refuses the container if one of
// its volumes was removed meanwhile.
func (r *Runtime) prepareVolumes(ctx context.Context, cfg *define.ContainerConfig) (undo func(), err error) {
	var created []*Volume
	undo = func() {
		for _, v := range created {
			_ = r.RemoveVolume(ctx, v, RemoveVolumeOptions{})
		}
	}
	defer func() {
		if err != nil {
			undo()
		}
	}()
	for i := range cfg.Volumes {
		vm := &cfg.Volumes[i]
		if vm.Name != "" {
			if ok, err := r.VolumeExists(vm.Name); err != nil {
				return nil, err
			} else if ok {
				continue
			}
		}
		v, err := r.NewVolume(ctx, VolumeOptions{Name: vm.Name, Options: vm.CreateOptions, Anonymous: vm.Name == ""})
		if errors.Is(err, define.ErrVolumeExists) {
			continue // another command made it meanwhile: not ours to undo
		}
		if err != nil {
			return nil, fmt.Errorf("volume for %s: %w", vm.Dest, err)
		}
		vm.Name = v.Name()
		created = append(created, v)
	}
	return undo, nil
}

// mountVolumesLocked prepares the container's volumes for its start and
// adds their bind mounts to spec: a volume with a filesystem of its own is
// mounted (once per container run), a volume used for the first time gets
// the content and owner of the image's directory at its destination
// (copy-up, unless nocopy), and U gives the whole volume to the
// container's user; O lays an overlay over the volume's data instead of
// binding it. rootfs is the mounted root; spec's user is resolved.
//
// Lock order: container before volume; each volume's lock is held only
// while it is prepared.
//
// Preconditions: c.lock is held.
func (c *Container) mountVolumesLocked(spec *specs.Spec, rootfs string) (retErr error) {
	if len(c.config.Volumes) == 0 && len(c.config.ImageMounts) == 0 {
		return nil
	}
	defer func() {
		if retErr != nil {
			c.unmountVolumesLocked()
		}
	}()
	if err := c.mountImagesLocked(spec); err != nil {
		return err
	}
	for _, vm := range c.config.Volumes {
		v, err := c.runtime.volumeByName(vm.Name)
		if err != nil {
			return fmt.Errorf("container %s: volume %s: %w", c.config.Name, vm.Name, err)
		}
		if err := c.prepareVolume(v, vm, spec, rootfs); err != nil {
			return fmt.Errorf("container %s: volume %s: %w", c.config.Name, vm.Name, err)
		}
		if slices.Contains(vm.Options, "O") {
			// An overlay over the volume's data (podman's named :O).
			m, err := c.overlayMountLocked(v.MountPoint(), vm.Dest, vm.Options)
			if err != nil {
				return err
			}
			spec.Mounts = append(spec.Mounts, m)
			continue
		}
		var opts []string
		for _, o := range vm.Options {
			switch o {
			case "nocopy", "copy", "U":
			default:
				opts = append(opts, o)
			}
		}
		spec.Mounts = append(spec.Mounts, BindMount(v.MountPoint(), vm.Dest, opts))
	}
	// runc mounts in order: a parent before what lies below it (a volume
	// at /etc before the generated /etc/hosts), as podman sorts them.
	sort.SliceStable(spec.Mounts, func(i, j int) bool {
		return pathDepth(spec.Mounts[i].Destination) < pathDepth(spec.Mounts[j].Destination)
	})
	return nil
}

func pathDepth(p string) int {
	return strings.Count(strings.TrimSuffix(path.Clean(p), "/"), "/")
}

// BindMount is a recursive bind mount, private unless opts choose a
// propagation: what -v, --mount type=bind and volumes become.
func BindMount(src, dst string, opts []string) specs.Mount {
	out := append([]string{"rbind"}, opts...)
	if !slices.ContainsFunc(opts, IsPropagation) {
		out = append(out, "rprivate")
	}
	return specs.Mount{Destination: dst, Type: "bind", Source: src, Options: out}
}

// IsPropagation reports whether o is a mount propagation option.
func IsPropagation(o string) bool {
	switch o {
	case "shared", "rshared", "slave", "rslave", "private", "rprivate", "unbindable", "runbindable":
		return true
	}
	return false
}

// prepareVolume mounts, fills and chowns one volume for the container.
// Preconditions: c.lock is held.
func (c *Container) prepareVolume(v *Volume, vm define.VolumeMount, spec *specs.Spec, rootfs string) error {
	if err := v.lockSync(); err != nil {
		return err
	}
	defer v.lock.Unlock()
	if v.needsMount() && !slices.Contains(c.state.MountedVolumes, v.config.Name) {
		// The container's use is recorded before the volume's: a
		// command killed in between leaves a use the volume does not
		// count, which the container's clean-up releases as a no-op
		// (unmountLocked by ID), never a count nobody releases.
		c.state.MountedVolumes = append(c.state.MountedVolumes, v.config.Name)
		if err := c.saveLocked(); err != nil {
			c.state.MountedVolumes = c.state.MountedVolumes[:len(c.state.MountedVolumes)-1]
			return err
		}
		c.savedMidInit = true
		fault.At("init-volume", 0, 0)
		if err := v.mountLocked(c.config.ID); err != nil {
			return err
		}
	}
	uid, gid := hostOwner(spec)
	if v.state.NeedsCopyUp || v.state.NeedsChown {
		if err := c.copyUpLocked(v, vm, rootfs, uid, gid); err != nil {
			return err
		}
	}
	if slices.Contains(vm.Options, "U") {
		root, err := rootcopy.Open(v.config.MountPoint)
		if err != nil {
			return err
		}
		err = root.ChownTree("/", uid, gid)
		root.Close()
		if err != nil {
			return fmt.Errorf("chown (U) to %d:%d: %w", uid, gid, err)
		}
	}
	return nil
}

// copyUpLocked gives a volume used for the first time the image's
// directory at its destination: owner and mode of the directory (else the
// container's user), and its content if the volume is empty and copying
// is wanted. Both sides are read and written as roots, so no symlink of
// the image or the volume leads out of them.
//
// Preconditions: v.lock is held.
func (c *Container) copyUpLocked(v *Volume, vm define.VolumeMount, rootfs string, uid, gid int) error {
	src, err := rootcopy.Open(rootfs)
	if err != nil {
		return err
	}
	defer src.Close()
	info, statErr := src.Stat(vm.Dest)
	resolved := vm.Dest
	if statErr == nil && info.LinkTarget != "" {
		resolved = info.LinkTarget
		info, statErr = src.Stat(resolved)
	}
	isDir := statErr == nil && info.Mode.IsDir()
	if v.state.NeedsChown {
		owner, group, mode := uid, gid, os.FileMode(0o755)
		if isDir {
			owner, group, mode = info.UID, info.GID, info.Mode.Perm()
		}
		if err := os.Lchown(v.config.MountPoint, owner, group); err != nil {
			return err
		}
		if err := os.Chmod(v.config.MountPoint, mode); err != nil {
			return err
		}
	}
	noCopy := v.config.NoCopy || slices.Contains(vm.Options, "nocopy")
	if v.state.NeedsCopyUp && isDir && !noCopy {
		empty, err := dirEmpty(v.config.MountPoint)
		if err != nil {
			return err
		}
		if empty {
			if err := copyTree(src, resolved, v.config.MountPoint); err != nil {
				return fmt.Errorf("copying %s of the image into the volume: %w", vm.Dest, err)
			}
		}
	}
	v.state.NeedsCopyUp, v.state.NeedsChown = false, false
	return v.saveLocked()
}

// copyTree copies the in-root directory dir of src into the host
// directory dst (a volume, which acts as the root of the copy), keeping
// owners, modes and links, through a tar stream between the two roots.
func copyTree(src *rootcopy.Root, dir, dst string) error {
	out, err := rootcopy.Open(dst)
	if err != nil {
		return err
	}
	defer out.Close()
	pr, pw := io.Pipe()
	errc := make(chan error, 1)
	go func() {
		err := src.Tar(pw, dir, ".")
		pw.CloseWithError(err)
		errc <- err
	}()
	uerr := out.Untar(pr, "/", rootcopy.UntarOptions{})
	pr.CloseWithError(uerr)
	return errors.Join(<-errc, uerr)
}

func dirEmpty(dir string) (bool, error) {
	f, err := os.Open(dir)
	if err != nil {
		return false, err
	}
	defer f.Close()
	_, err = f.Readdirnames(1)
	if errors.Is(err, io.EOF) {
		return true, nil
	}
	return false, err
}

// unmountVolumesLocked releases the volume filesystems this container
// mounted. Errors are warnings: the container's own cleanup goes on.
//
// Preconditions: c.lock is held.
func (c *Container) unmountVolumesLocked() {
	c.unmountImagesLocked()
	for _, name := range c.state.MountedVolumes {
		v, err := c.runtime.volumeByName(name)
		if err == nil {
			if err = v.lockSync(); err == nil {
				err = v.unmountLocked(c.config.ID)
				v.lock.Unlock()
			}
		}
		if err != nil && !errors.Is(err, define.ErrNoSuchVolume) {
			warnf("container %s: unmounting volume %s: %v", c.config.Name, name, err)
		}
	}
	c.state.MountedVolumes = nil
}

// removeAnonymousVolumes removes the container's anonymous volumes after
// the container itself (rm -v, --rm). One still used by another container
// (--volumes-from) stays.
func (r *Runtime) removeAnonymousVolumes(ctx context.Context, cfg *define.ContainerConfig) error {
	var errs []error
	for _, vm := range cfg.Volumes {
		v, err := r.volumeByName(vm.Name)
		if err != nil || !v.config.Anonymous {
			continue
		}
		if err := r.RemoveVolume(ctx, v, RemoveVolumeOptions{}); err != nil &&
			!errors.Is(err, define.ErrVolumeBeingUsed) && !errors.Is(err, define.ErrNoSuchVolume) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// applyVolumesFrom adds to a container ClonePod copies (spec/generate
// does it for a new one) the volumes and bind mounts of
// the containers named in cfg.VolumesFrom, as docker and podman do: with
// ":ro" read-only, with ":rw" writable, else as the source has them. A
// destination the new container mounts itself keeps its own mount.
func (r *Runtime) applyVolumesFrom(cfg *define.ContainerConfig, spec *specs.Spec) error {
	for _, ref := range cfg.VolumesFrom {
		name, mode, _ := strings.Cut(ref, ":")
		switch mode {
		case "", "ro", "rw", "z", "Z":
		default:
			return fmt.Errorf("--volumes-from %q: mode must be ro or rw: %w", ref, define.ErrInvalidArg)
		}
		src, err := r.LookupContainer(name)
		if err != nil {
			return fmt.Errorf("--volumes-from %q: %w", ref, err)
		}
		// The user's own mounts win; an image VOLUME's anonymous volume
		// gives way, as in docker and podman (the data-container pattern).
		taken := func(dst string) bool {
			if slices.Contains(cfg.UserVolumes, dst) {
				return true
			}
			return slices.ContainsFunc(cfg.Volumes, func(v define.VolumeMount) bool { return v.Dest == dst && !v.FromImage })
		}
		dropImageVolume := func(dst string) {
			cfg.Volumes = slices.DeleteFunc(cfg.Volumes, func(v define.VolumeMount) bool { return v.Dest == dst && v.FromImage })
		}
		for _, vm := range src.config.Volumes {
			if taken(vm.Dest) {
				continue
			}
			vm.Options = withMode(slices.DeleteFunc(slices.Clone(vm.Options), func(o string) bool { return o == "U" }), mode)
			vm.CreateOptions, vm.FromImage = nil, false
			dropImageVolume(vm.Dest)
			cfg.Volumes = append(cfg.Volumes, vm)
		}
		srcSpec, err := r.state.ContainerSpec(src.config.ID)
		if err != nil {
			return err
		}
		for _, m := range srcSpec.Mounts {
			if m.Type != "bind" || !slices.Contains(src.config.UserVolumes, m.Destination) || taken(m.Destination) {
				continue
			}
			// U chowned the source for its own container; no second chown.
			m.Options = withMode(slices.DeleteFunc(slices.Clone(m.Options), func(o string) bool { return o == "U" }), mode)
			dropImageVolume(m.Destination)
			spec.Mounts = append(spec.Mounts, m)
			cfg.UserVolumes = append(cfg.UserVolumes, m.Destination)
		}
	}
	return nil
}

// withMode replaces ro/rw in opts by mode ("ro" or "rw"); any other mode
// keeps them.
func withMode(opts []string, mode string) []string {
	if mode != "ro" && mode != "rw" {
		return opts
	}
	opts = slices.DeleteFunc(opts, func(o string) bool { return o == "ro" || o == "rw" })
	return append(opts, mode)
}
