package engine

import (
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/berth-dev/berth/engine/define"
	"github.com/moby/sys/mount"
	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// Mount mounts a volume's filesystem (type/device options) for a user
// outside any container (`volume mount`) and returns the host path. A
// plain directory volume needs no mount: its path is returned as it is.
func (v *Volume) Mount() (string, error) {
	if err := v.lockSync(); err != nil {
		return "", err
	}
	defer v.lock.Unlock()
	if err := v.mountLocked(""); err != nil {
		return "", err
	}
	v.runtime.event(volumeEvent(v.config.Name, "mount"))
	return v.config.MountPoint, nil
}

// Unmount undoes one Mount.
func (v *Volume) Unmount() error {
	if err := v.lockSync(); err != nil {
		return err
	}
	defer v.lock.Unlock()
	if v.needsMount() && v.state.MountCount == 0 {
		return fmt.Errorf("volume %s is not mounted: %w", v.config.Name, define.ErrInvalidArg)
	}
	if err := v.unmountLocked(""); err != nil {
		return err
	}
	v.runtime.event(volumeEvent(v.config.Name, "unmount"))
	return nil
}

// mountLocked mounts the volume's filesystem for one more user: the
// first mounts it, the others only count. user is the container's ID
// (counted once however often it comes), "" a user outside containers.
// Preconditions: v.lock is held.
func (v *Volume) mountLocked(user string) error {
	if !v.needsMount() || (user != "" && slices.Contains(v.state.Users, user)) {
		return nil
	}
	// The count can be ahead of the kernel (a berth killed between an
	// unmount and saving it): a volume counted as mounted is checked, so
	// a container never writes into the bare directory beneath.
	if v.state.MountCount > 0 {
		if mounted, err := mountinfo.Mounted(v.config.MountPoint); err == nil && !mounted {
			v.state.MountCount, v.state.Users, v.state.External = 0, nil, 0
		}
	}
	if v.state.MountCount == 0 {
		typ := v.config.Options["type"]
		opts := mountOpts(typ, v.config.Options["o"])
		if typ == "bind" {
			opts = joinOpts("rbind", opts)
		}
		if err := mount.Mount(v.config.Options["device"], v.config.MountPoint, typ, opts); err != nil {
			return fmt.Errorf("volume %s: %w", v.config.Name, err)
		}
		if typ != "bind" && typ != "tmpfs" && (v.config.UID != 0 || v.config.GID != 0) {
			if err := os.Chown(v.config.MountPoint, v.config.UID, v.config.GID); err != nil {
				_ = unix.Unmount(v.config.MountPoint, unix.MNT_DETACH)
				return fmt.Errorf("volume %s: chown: %w", v.config.Name, err)
			}
		}
	}
	v.state.MountCount++
	if user != "" {
		v.state.Users = append(v.state.Users, user)
	} else {
		v.state.External++
	}
	if err := v.saveLocked(); err != nil {
		v.state.MountCount--
		if user != "" {
			v.state.Users = v.state.Users[:len(v.state.Users)-1]
		} else {
			v.state.External--
		}
		if v.state.MountCount == 0 {
			_ = unix.Unmount(v.config.MountPoint, unix.MNT_DETACH)
		}
		return err
	}
	return nil
}

// unmountLocked drops one user (as mountLocked); the last unmounts the
// filesystem. A user the volume does not count has nothing to release.
// Preconditions: v.lock is held.
func (v *Volume) unmountLocked(user string) error {
	if !v.needsMount() || v.state.MountCount == 0 {
		return nil
	}
	st := v.state
	legacy := st.MountCount > uint(len(st.Users))+st.External
	counted := user != "" && slices.Contains(st.Users, user)
	external := user == "" && st.External > 0
	if !counted && !external && !legacy {
		return nil
	}
	if st.MountCount == 1 {
		if err := unix.Unmount(v.config.MountPoint, 0); err != nil && !errors.Is(err, unix.EINVAL) {
			if err := unix.Unmount(v.config.MountPoint, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) {
				return fmt.Errorf("volume %s: unmount: %w", v.config.Name, err)
			}
		}
	}
	switch {
	case counted:
		st.Users = slices.DeleteFunc(st.Users, func(u string) bool { return u == user })
	case external:
		st.External--
	}
	v.state.MountCount--
	if v.state.MountCount == 0 {
		v.state.Users, v.state.External = nil, 0
	}
	return v.saveLocked()
}

func joinOpts(a, b string) string {
	if b == "" {
		return a
	}
	return a + "," + b
}
