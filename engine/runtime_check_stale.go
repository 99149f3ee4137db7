package engine

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/berth-dev/berth/engine/define"
	"github.com/moby/sys/mountinfo"
)

// staleContainerDirs finds the per-container directories (bundles on the
// run root, static dirs with logs and overlays on the graph root) whose
// container berth has no record of: what a crash between a removal's
// database step and its file step leaves behind. It maps each such
// container ID to its directories.
func (r *Runtime) staleContainerDirs(recs []*define.ContainerRecord) map[string][]string {
	known := make(map[string]bool, len(recs))
	for _, rec := range recs {
		known[rec.Config.ID] = true
	}
	out := map[string][]string{}
	for _, root := range []string{r.cfg.bundleRoot(), r.cfg.staticDir()} {
		entries, err := os.ReadDir(root)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if e.IsDir() && !known[e.Name()] {
				out[e.Name()] = append(out[e.Name()], filepath.Join(root, e.Name()))
			}
		}
	}
	// A container created after recs was read has a record now.
	for id := range out {
		if _, err := r.state.Container(id); !errors.Is(err, define.ErrNoSuchCtr) {
			delete(out, id)
		}
	}
	return out
}

// removeStaleDirs deletes the directories staleContainerDirs found, except
// one with anything mounted at or below it: emptying it would reach into
// the mounted filesystem (a bind-mounted host directory, say). It returns
// the IDs whose directories are all gone.
func (r *Runtime) removeStaleDirs(stale map[string][]string) ([]string, error) {
	var removed []string
	var errs []error
	for _, id := range slices.Sorted(maps.Keys(stale)) {
		if _, err := r.state.Container(id); !errors.Is(err, define.ErrNoSuchCtr) {
			continue // created since the check looked
		}
		ok := true
		for _, dir := range stale[id] {
			mounts, err := mountinfo.GetMounts(mountinfo.PrefixFilter(dir))
			if err != nil || len(mounts) > 0 {
				errs = append(errs, fmt.Errorf("stale directory %s: still has mounts, left in place", dir))
				ok = false
				continue
			}
			if err := os.RemoveAll(dir); err != nil {
				errs = append(errs, err)
				ok = false
			}
		}
		if ok {
			removed = append(removed, id)
		}
	}
	return removed, errors.Join(errs...)
}
