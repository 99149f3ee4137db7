package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"golang.org/x/sys/unix"
)

// refreshIfRebooted resets container states after a reboot. The run root
// is a tmpfs, so a missing alive marker means everything recorded there
// (runtime state, conmon, mounts, locks) is gone: running containers are
// now exited and created ones merely configured.
func (r *Runtime) refreshIfRebooted(ctx context.Context) error {
	alive := r.cfg.aliveFile()
	if _, err := os.Stat(alive); err == nil {
		return nil
	}
	// Serialize refreshes of concurrent first commands.
	f, err := os.OpenFile(filepath.Join(r.cfg.tmpDir(), "refresh.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		return err
	}
	if _, err := os.Stat(alive); err == nil {
		return nil
	}
	recs, err := r.state.Containers()
	if err != nil {
		return err
	}
	var errs []error
	var autoRemove []string
	for _, rec := range recs {
		st := rec.State
		switch st.Status {
		case define.StatusCreated:
			st.Status = define.StatusConfigured
		case define.StatusRunning, define.StatusPaused, define.StatusStopping, define.StatusStopped:
			st.Status = define.StatusExited
			if st.FinishedTime.IsZero() || st.FinishedTime.Before(st.StartedTime) {
				st.FinishedTime = time.Now()
			}
			if rec.Config.AutoRemove {
				// Its exit command died with the host: remove it here.
				autoRemove = append(autoRemove, rec.Config.ID)
			}
		}
		// A container left Removing (its storage could not be deleted)
		// stays so: rm finishes the job, and it must not start again.
		st.PID, st.ConmonPID, st.PIDStart, st.ConmonPIDStart = 0, 0, 0, 0
		st.Mountpoint, st.RunDir, st.NetNS = "", "", ""
		st.MountCount = 0
		st.RestartAt = time.Time{} // its exit command died with the host
		st.MountedVolumes = nil
		st.ExecSessions = nil
		st.NetworkStatus = nil
		if err := r.state.SaveContainerState(rec.Config.ID, st); err != nil {
			errs = append(errs, err)
		}
	}
	// Volume filesystems were unmounted by the reboot too.
	vols, err := r.state.Volumes()
	if err != nil {
		return err
	}
	for _, v := range vols {
		if v.State.MountCount != 0 || len(v.State.Users) > 0 {
			v.State.MountCount, v.State.Users, v.State.External = 0, nil, 0
			if err := r.state.SaveVolumeState(v.Config.Name, v.State); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("refreshing container and volume states after reboot: %w", err)
	}
	if err := os.WriteFile(alive, nil, 0o600); err != nil {
		return err
	}
	for _, id := range autoRemove {
		if c, err := r.containerByID(id); err == nil {
			_ = r.RemoveContainer(ctx, c, RemoveOptions{Force: true})
		}
	}
	return nil
}
