package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/berth-dev/berth/engine/define"
)

// Reset removes everything the root holds, as `system reset`: every
// container (stopped first), every network, the default one included
// (their bridges and firewall rules go with them), every image, and then
// every volume, and then the storage and the database themselves. Like podman's, it is a recovery
// tool: what cannot be removed cleanly is reported, and the roots are
// wiped anyway. The runtime is shut down and cannot be used afterwards.
func (r *Runtime) Reset(ctx context.Context) error {
	for _, root := range []string{r.cfg.GraphRoot, r.cfg.RunRoot} {
		if p := filepath.Clean(root); root == "" || p == "/" {
			_ = r.Shutdown(false)
			return fmt.Errorf("refusing to reset storage root %q: %w", root, define.ErrInvalidArg)
		}
	}
	var errs []error
	if ctrs, err := r.Containers(); err != nil {
		errs = append(errs, err)
	} else {
		zero := uint(0)
		for _, c := range ctrs {
			if err := r.RemoveContainer(ctx, c, RemoveOptions{Force: true, Timeout: &zero}); err != nil &&
				!errors.Is(err, define.ErrCtrRemoved) && !errors.Is(err, define.ErrNoSuchCtr) {
				errs = append(errs, err)
			}
		}
	}
	// After the containers: a mounted volume filesystem is unmounted by
	// its removal, and must be before the roots are wiped.
	if vols, err := r.Volumes(); err != nil {
		errs = append(errs, err)
	} else {
		for _, v := range vols {
			if err := r.forceRemoveVolume(v); err != nil && !errors.Is(err, define.ErrNoSuchVolume) {
				errs = append(errs, err)
			}
		}
	}
	if r.net != nil {
		nets, err := r.net.List()
		errs = append(errs, err)
		for _, n := range nets {
			errs = append(errs, r.net.Remove(ctx, n.Name))
		}
	}
	if images, err := r.Images(); err != nil {
		errs = append(errs, err)
	} else if list, err := images.List(); err != nil {
		errs = append(errs, err)
	} else {
		for _, img := range list {
			if _, err := r.RemoveImage(ctx, img.ID, true); err != nil && !errors.Is(err, define.ErrNoSuchImage) {
				errs = append(errs, err)
			}
		}
	}
	errs = append(errs, r.Shutdown(true))
	for _, root := range []string{r.cfg.GraphRoot, r.cfg.RunRoot} {
		errs = append(errs, os.RemoveAll(root))
	}
	return errors.Join(errs...)
}
