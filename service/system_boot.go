package service

import (
	"context"

	"github.com/berth-dev/berth/engine"
)

// Boot starts, after the host booted, every container whose restart
// policy brings it back: `always`, and `unless-stopped` unless a user
// stopped it (docker's rule; podman-restart.service does the first half
// with `start --all --filter restart-policy=always`). The restart policy
// lives in the exit command, which the reboot killed, so without this the
// containers stay exited. Running containers are left alone, so running
// it twice is harmless.
func Boot(ctx context.Context, rt *engine.Runtime) ([]Report, error) {
	ctrs, err := rt.Containers()
	if err != nil {
		return nil, err
	}
	var reports []Report
	for _, c := range ctrs {
		if !bootStarts(c) {
			continue
		}
		reports = append(reports, Report{RawInput: c.ID(), ID: c.ID(), Err: c.Start(ctx)})
	}
	return reports, nil
}

// bootStarts reports whether Boot starts c.
func bootStarts(c *engine.Container) bool {
	st := c.CachedState()
	if !st.Status.IsStopped() {
		return false
	}
	switch c.Config().Restart {
	case "always":
		return true
	case "unless-stopped":
		return !st.StoppedByUser
	}
	return false
}
