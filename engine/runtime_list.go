package engine

import "github.com/berth-dev/berth/engine/define"

// ListContainers returns a lock-free snapshot of every container for
// listing (`ps`): handles whose config and state hold only the fields
// state.Store.ContainerSummaries documents. Containers whose process has
// exited since the last command are shown stopped, from their exit files.
func (r *Runtime) ListContainers() ([]*Container, error) {
	return r.snapshot(r.state.ContainerSummaries())
}

// snapshot wraps records in lock-free handles, showing containers whose
// process has exited since the last command as stopped (from their exit
// files), so listing never shows a dead container as running.
func (r *Runtime) snapshot(recs []*define.ContainerRecord, err error) ([]*Container, error) {
	if err != nil {
		return nil, err
	}
	out := make([]*Container, 0, len(recs))
	for _, rec := range recs {
		c := &Container{config: rec.Config, state: rec.State, runtime: r, valid: true}
		if c.peekExit() {
			// Its conmon died: kill and clean it up now, so that it
			// does not keep running unseen. Rare, so the listing's
			// usual cost is unchanged.
			if full, err := r.containerByID(rec.Config.ID); err == nil && full.lockSync() == nil {
				c.state = full.state
				full.lock.Unlock()
			}
		}
		if c.state.Status == define.StatusStopping {
			// Stop holds the lock for as long as it runs: a free lock
			// means the stop's command died; the locked sync finishes
			// the stop (finishOrphanStopLocked). A stop that runs is
			// not waited for.
			if full, err := r.containerByID(rec.Config.ID); err == nil && full.tryLockSync() {
				c.state = full.state
				full.lock.Unlock()
			}
		}
		out = append(out, c)
	}
	return out, nil
}
