package state

import "github.com/berth-dev/berth/engine/define"

// ContainerSummaries returns every container with the listing fields of
// its config and state (the in-memory store simply returns everything).
func (m *Memory) ContainerSummaries() ([]*define.ContainerRecord, error) {
	return m.Containers()
}
