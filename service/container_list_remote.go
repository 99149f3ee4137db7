package service

import (
	"time"

	"github.com/berth-dev/berth/engine/define"
)

// RestoreStatus fills in a row decoded from the libpod API what the wire
// leaves out: the engine status (from State) and, as podman's list leaves
// the STATUS text to the client, that text computed the way List does.
func (l *ListContainer) RestoreStatus() {
	s, err := define.ParseStatus(l.State)
	if err != nil {
		return
	}
	l.status = s
	if l.Status != "" {
		return
	}
	st := define.ContainerState{Status: s, ExitCode: l.ExitCode}
	if l.StartedAt != 0 {
		st.StartedTime = time.Unix(l.StartedAt, 0)
	}
	if l.ExitedAt != 0 {
		st.FinishedTime = time.Unix(l.ExitedAt, 0)
	}
	l.Status = statusText(st)
}
