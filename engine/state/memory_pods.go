package state

import (
	"slices"

	"github.com/berth-dev/berth/engine/define"
)

type memPod struct {
	name    string
	created int64
	cfg     []byte
}

// AddPod stores a new pod.
func (m *Memory) AddPod(cfg *define.PodConfig) error {
	if err := checkNewPod(cfg); err != nil {
		return err
	}
	b, err := encodeJSON("pod config", cfg)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, p := range m.pods {
		if p.name == cfg.Name || id == cfg.ID {
			return errPodNameInUse(cfg.Name)
		}
	}
	m.pods[cfg.ID] = &memPod{name: cfg.Name, created: unixNano(cfg.CreatedTime), cfg: b}
	return nil
}

// SavePodConfig replaces a pod's config.
func (m *Memory) SavePodConfig(cfg *define.PodConfig) error {
	b, err := encodeJSON("pod config", cfg)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	p := m.pods[cfg.ID]
	if p == nil {
		return errNoSuchPod(cfg.ID)
	}
	p.cfg = b
	return nil
}

// RemovePod deletes a pod without members.
func (m *Memory) RemovePod(id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.pods[id] == nil {
		return errNoSuchPod(id)
	}
	if ctrs := m.podContainersLocked(id); len(ctrs) > 0 {
		return errPodHasMembers(id, ctrs)
	}
	delete(m.pods, id)
	return nil
}

// Pod returns a pod by full ID.
func (m *Memory) Pod(id string) (*define.PodConfig, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := m.pods[id]
	if p == nil {
		return nil, errNoSuchPod(id)
	}
	return decodePod(id, p.cfg)
}

// LookupPod resolves a full ID, an exact name or a unique ID prefix.
func (m *Memory) LookupPod(nameOrID string) (string, error) {
	if nameOrID == "" {
		return "", errNoSuchPod(nameOrID)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var ids, names []string
	for id, p := range m.pods {
		ids, names = append(ids, id), append(names, p.name)
	}
	return resolvePodLookup(nameOrID, ids, names)
}

// Pods returns every pod, oldest first.
func (m *Memory) Pods() ([]*define.PodConfig, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ids := make([]string, 0, len(m.pods))
	for id := range m.pods {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int {
		if d := m.pods[a].created - m.pods[b].created; d != 0 {
			if d < 0 {
				return -1
			}
			return 1
		}
		if a < b {
			return -1
		}
		return 1
	})
	out := make([]*define.PodConfig, 0, len(ids))
	for _, id := range ids {
		cfg, err := decodePod(id, m.pods[id].cfg)
		if err != nil {
			return nil, err
		}
		out = append(out, cfg)
	}
	return out, nil
}

// PodContainers returns a pod's members in creation order.
func (m *Memory) PodContainers(id string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.podContainersLocked(id), nil
}

// Preconditions: m.mu is held.
func (m *Memory) podContainersLocked(id string) []string {
	var out []string
	for _, cid := range m.order {
		if m.ctrs[cid].pod == id {
			out = append(out, cid)
		}
	}
	return out
}
