package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/idgen"
	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// VolumeOptions describe a new volume.
type VolumeOptions struct {
	// Name is "" for a random one (64 hex digits, as podman and docker).
	Name    string
	Driver  string
	Labels  map[string]string
	Options map[string]string
	// UID and GID (podman's --uid/--gid) own the volume's root; o=uid=
	// and o=gid= do the same.
	UID, GID *int
	// Anonymous marks a volume made for one container.
	Anonymous bool
	// IgnoreExisting returns an existing volume of that name instead of
	// an error (--ignore).
	IgnoreExisting bool
}

// NewVolume creates a volume: its directory and its record. Nothing is
// left behind on failure: the record is written last, and the directory
// is removed if that fails.
func (r *Runtime) NewVolume(ctx context.Context, opts VolumeOptions) (_ *Volume, retErr error) {
	cfg := &define.VolumeConfig{
		Name: opts.Name, Driver: opts.Driver, Labels: opts.Labels, Options: opts.Options,
		CreatedTime: time.Now(), Anonymous: opts.Anonymous,
	}
	if cfg.Name == "" {
		cfg.Name = idgen.NewID()
	}
	if err := CheckVolumeName(cfg.Name); err != nil {
		return nil, err
	}
	if cfg.Driver == "" {
		cfg.Driver = define.VolumeDriverLocal
	}
	if cfg.Driver != define.VolumeDriverLocal {
		return nil, fmt.Errorf("volume driver %q: only %q is supported: %w", cfg.Driver, define.VolumeDriverLocal, define.ErrInvalidArg)
	}
	if err := applyVolumeOptions(cfg); err != nil {
		return nil, err
	}
	if opts.UID != nil {
		cfg.UID = *opts.UID
	}
	if opts.GID != nil {
		cfg.GID = *opts.GID
	}
	if opts.IgnoreExisting {
		if v, err := r.volumeByName(cfg.Name); err == nil {
			return v, nil
		}
	}
	l, err := r.locks.Retrieve(volumeLockID(cfg.Name))
	if err != nil {
		return nil, err
	}
	if err := l.Lock(); err != nil {
		return nil, err
	}
	defer l.Unlock()
	defer func() {
		// The lock file of a volume that was not made goes (one of an
		// existing volume stays).
		if retErr != nil && !errors.Is(retErr, define.ErrVolumeExists) {
			_ = r.locks.Free(volumeLockID(cfg.Name))
		}
	}()
	if _, err := r.state.Volume(cfg.Name); err == nil {
		if opts.IgnoreExisting {
			return r.volumeByName(cfg.Name)
		}
		return nil, fmt.Errorf("volume with name %s already exists: %w", cfg.Name, define.ErrVolumeExists)
	}
	dir := filepath.Join(r.cfg.volumeDir(), cfg.Name)
	cfg.MountPoint = filepath.Join(dir, "_data")
	if err := os.MkdirAll(r.cfg.volumeDir(), 0o700); err != nil {
		return nil, err
	}
	// A directory without a record is a leftover of a crash (the record
	// is written last): it is taken over, emptied.
	if err := removeVolumeDir(dir); err != nil {
		return nil, fmt.Errorf("volume %s: clearing a leftover directory: %w", cfg.Name, err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating volume directory: %w", err)
	}
	defer func() {
		if retErr != nil {
			_ = os.RemoveAll(dir)
		}
	}()
	if err := os.Mkdir(cfg.MountPoint, 0o755); err != nil {
		return nil, fmt.Errorf("creating volume directory: %w", err)
	}
	if err := os.Chown(cfg.MountPoint, cfg.UID, cfg.GID); err != nil {
		return nil, fmt.Errorf("volume %s: chown to %d:%d: %w", cfg.Name, cfg.UID, cfg.GID, err)
	}
	// An owner given at creation is kept; otherwise the first container
	// to mount the volume gives it the owner of the directory it covers.
	st := &define.VolumeState{NeedsCopyUp: true, NeedsChown: opts.UID == nil && opts.GID == nil && !ownerInOptions(cfg)}
	if err := r.state.AddVolume(cfg, st); err != nil {
		return nil, err
	}
	v := &Volume{config: cfg, state: st, lock: l, runtime: r}
	r.event(volumeEvent(cfg.Name, "create"))
	return v, nil
}

func ownerInOptions(cfg *define.VolumeConfig) bool {
	return cfg.UID != 0 || cfg.GID != 0
}

// LookupVolume finds a volume by name or unique name prefix.
func (r *Runtime) LookupVolume(name string) (*Volume, error) {
	full, err := r.state.LookupVolume(name)
	if err != nil {
		return nil, err
	}
	return r.volumeByName(full)
}

func (r *Runtime) volumeByName(name string) (*Volume, error) {
	rec, err := r.state.Volume(name)
	if err != nil {
		return nil, err
	}
	l, err := r.locks.Retrieve(volumeLockID(name))
	if err != nil {
		return nil, err
	}
	return &Volume{config: rec.Config, state: rec.State, lock: l, runtime: r}, nil
}

// VolumeExists reports whether a volume of that exact name exists.
func (r *Runtime) VolumeExists(name string) (bool, error) {
	_, err := r.state.Volume(name)
	if errors.Is(err, define.ErrNoSuchVolume) {
		return false, nil
	}
	return err == nil, err
}

// Volumes returns a snapshot of every volume, oldest first (no locks, as
// for ps).
func (r *Runtime) Volumes() ([]*Volume, error) {
	recs, err := r.state.Volumes()
	if err != nil {
		return nil, err
	}
	out := make([]*Volume, 0, len(recs))
	for _, rec := range recs {
		l, err := r.locks.Retrieve(volumeLockID(rec.Config.Name))
		if err != nil {
			return nil, err
		}
		out = append(out, &Volume{config: rec.Config, state: rec.State, lock: l, runtime: r})
	}
	return out, nil
}

// RemoveVolumeOptions tune RemoveVolume.
type RemoveVolumeOptions struct {
	// Force removes the containers using the volume first.
	Force bool
	// Timeout overrides their stop timeout when forcing.
	Timeout *uint
}

// RemoveVolume deletes a volume: record, then directory. A volume in use
// is refused (naming its users) unless Force, which removes them first.
func (r *Runtime) RemoveVolume(ctx context.Context, v *Volume, opts RemoveVolumeOptions) error {
	if opts.Force {
		users, err := v.Users()
		if err != nil {
			return err
		}
		for _, id := range users {
			c, err := r.containerByID(id)
			if errors.Is(err, define.ErrNoSuchCtr) {
				continue
			}
			if err != nil {
				return err
			}
			if err := r.RemoveContainer(ctx, c, RemoveOptions{Force: true, Timeout: opts.Timeout}); err != nil && !errors.Is(err, define.ErrNoSuchCtr) && !errors.Is(err, define.ErrCtrRemoved) {
				return fmt.Errorf("removing container %s that uses volume %s: %w", c.Name(), v.Name(), err)
			}
		}
	}
	if err := v.lockSync(); err != nil {
		return err
	}
	defer v.lock.Unlock()
	return r.removeVolumeLocked(v)
}

// removeVolumeLocked deletes an unused volume.
// Preconditions: v.lock is held.
func (r *Runtime) removeVolumeLocked(v *Volume) error {
	if v.state.MountCount > 0 {
		return fmt.Errorf("volume %s is mounted (%d users): %w", v.config.Name, v.state.MountCount, define.ErrVolumeBeingUsed)
	}
	// The store refuses a volume still in use, in the same transaction
	// as the delete: a container being created on it either got in first
	// (and the removal fails) or finds the volume gone.
	if err := r.state.RemoveVolume(v.config.Name); err != nil {
		return err
	}
	var errs []error
	if err := removeVolumeDir(filepath.Dir(v.config.MountPoint)); err != nil {
		errs = append(errs, fmt.Errorf("volume %s: removing its directory: %w", v.config.Name, err))
	}
	if err := r.locks.Free(volumeLockID(v.config.Name)); err != nil {
		errs = append(errs, err)
	}
	r.event(volumeEvent(v.config.Name, "remove"))
	return errors.Join(errs...)
}

// PruneVolumes removes every volume no container uses and for which keep
// (the filters) returns false. It returns the names removed and the
// errors of those that could not be.
func (r *Runtime) PruneVolumes(ctx context.Context, keep func(*Volume) bool) ([]string, error) {
	vols, err := r.Volumes()
	if err != nil {
		return nil, err
	}
	var removed []string
	var errs []error
	for _, v := range vols {
		if keep != nil && keep(v) {
			continue
		}
		if users, err := v.Users(); err != nil || len(users) > 0 {
			continue
		}
		if err := v.lockSync(); err != nil {
			continue // removed meanwhile
		}
		err := r.removeVolumeLocked(v)
		v.lock.Unlock()
		switch {
		case errors.Is(err, define.ErrVolumeBeingUsed):
			// A container took it meanwhile: not unused any more.
		case err != nil:
			errs = append(errs, err)
		default:
			removed = append(removed, v.config.Name)
		}
	}
	return removed, errors.Join(errs...)
}

// forceRemoveVolume removes a volume whose users are gone, unmounting its
// filesystem whatever the count says (system reset).
func (r *Runtime) forceRemoveVolume(v *Volume) error {
	if err := v.lockSync(); err != nil {
		return err
	}
	defer v.lock.Unlock()
	if v.needsMount() && v.state.MountCount > 0 {
		v.state.MountCount, v.state.Users, v.state.External = 1, nil, 0
		if err := v.unmountLocked(""); err != nil {
			return err
		}
	}
	return r.removeVolumeLocked(v)
}

// removeVolumeDir deletes a volume's directory. A filesystem still
// mounted on its _data (a berth killed between mounting and recording
// it, an earlier removal that failed) is detached first: RemoveAll walks
// into mounts, and behind a bind volume is the user's host directory.
func removeVolumeDir(dir string) error {
	data := filepath.Join(dir, "_data")
	for {
		mounted, err := mountinfo.Mounted(data)
		if err != nil || !mounted {
			break
		}
		if err := unix.Unmount(data, unix.MNT_DETACH); err != nil {
			return fmt.Errorf("unmounting %s: %w", data, err)
		}
	}
	return os.RemoveAll(dir)
}
