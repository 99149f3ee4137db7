package state

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/berth-dev/berth/engine/define"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Memory is the in-memory Store for unit tests. It keeps records as JSON,
// exactly like SQLite, so callers get fresh copies on every read and see
// the same round-trip behaviour (monotonic clock readings dropped, nil and
// empty collections as JSON makes them) as with the real database.
type Memory struct {
	mu      sync.Mutex
	ctrs    map[string]*memCtr
	order   []string // IDs in creation order
	runtime map[string]string
	exits   map[string]int32
	vols    map[string]*memVolume
	pods    map[string]*memPod
}

type memCtr struct {
	name    string
	volumes []string // names of the volumes it mounts
	image   string
	cfg     []byte
	spec    []byte // nil when no spec was stored
	state   []byte
	deps    []string // config's Dependencies
	pod     string   // the pod it belongs to, or ""
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory {
	return &Memory{ctrs: map[string]*memCtr{}, runtime: map[string]string{}, vols: map[string]*memVolume{}, pods: map[string]*memPod{}}
}

// AddContainer stores a new container.
func (m *Memory) AddContainer(cfg *define.ContainerConfig, spec *specs.Spec, st *define.ContainerState) error {
	if err := checkNewContainer(cfg); err != nil {
		return err
	}
	if st == nil {
		st = &define.ContainerState{}
	}
	c := &memCtr{name: cfg.Name, image: cfg.ImageID, volumes: volumeNames(cfg)}
	var err error
	if c.cfg, err = encodeJSON("config", cfg); err != nil {
		return err
	}
	if c.state, err = encodeJSON("state", st); err != nil {
		return err
	}
	if spec != nil {
		if c.spec, err = encodeJSON("spec", spec); err != nil {
			return err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.ctrs[cfg.ID]; ok {
		return errCtrExists(cfg.ID)
	}
	if owner := m.ownerLocked(cfg.Name); owner != "" {
		return errNameInUse(cfg.Name, owner)
	}
	for _, v := range c.volumes {
		if m.vols[v] == nil {
			return errNoSuchVolume(v)
		}
	}
	for _, dep := range cfg.Dependencies {
		if _, ok := m.ctrs[dep]; !ok {
			return errNoDependency(cfg.ID, dep)
		}
	}
	if cfg.Pod != "" && m.pods[cfg.Pod] == nil {
		return errNoSuchPod(cfg.Pod)
	}
	c.deps, c.pod = cfg.Dependencies, cfg.Pod
	m.ctrs[cfg.ID] = c
	m.order = append(m.order, cfg.ID)
	return nil
}

// ownerLocked returns the ID of the container named name, or "".
// Preconditions: m.mu is held.
func (m *Memory) ownerLocked(name string) string {
	for id, c := range m.ctrs {
		if c.name == name {
			return id
		}
	}
	return ""
}

// RemoveContainer deletes a container.
func (m *Memory) RemoveContainer(id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.ctrs[id]; !ok {
		return errNoSuchID(id)
	}
	if deps := m.dependentsLocked(id); len(deps) > 0 {
		return errHasDependents(id, deps)
	}
	var st define.ContainerState
	if err := json.Unmarshal(m.ctrs[id].state, &st); err == nil {
		if m.exits == nil {
			m.exits = map[string]int32{}
		}
		m.exits[id] = st.ExitCode
	}
	delete(m.ctrs, id)
	for i, o := range m.order {
		if o == id {
			m.order = append(m.order[:i:i], m.order[i+1:]...)
			break
		}
	}
	return nil
}

// get returns the stored container or a not-found error.
func (m *Memory) get(id string) (*memCtr, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.ctrs[id]
	if !ok {
		return nil, errNoSuchID(id)
	}
	cp := *c
	return &cp, nil
}

// Container returns a copy of a container's config and state.
func (m *Memory) Container(id string) (*define.ContainerRecord, error) {
	c, err := m.get(id)
	if err != nil {
		return nil, err
	}
	return decodeRecord(id, c.cfg, c.state)
}

// ContainerSpec returns a copy of the stored spec, or nil if none was stored.
func (m *Memory) ContainerSpec(id string) (*specs.Spec, error) {
	c, err := m.get(id)
	if err != nil {
		return nil, err
	}
	if c.spec == nil {
		return nil, nil
	}
	spec := &specs.Spec{}
	if err := json.Unmarshal(c.spec, spec); err != nil {
		return nil, fmt.Errorf("decode spec of container %s: %w", id, err)
	}
	return spec, nil
}

// ContainerState returns a copy of a container's state.
func (m *Memory) ContainerState(id string) (*define.ContainerState, error) {
	c, err := m.get(id)
	if err != nil {
		return nil, err
	}
	st := &define.ContainerState{}
	if err := json.Unmarshal(c.state, st); err != nil {
		return nil, fmt.Errorf("decode state of container %s: %w", id, err)
	}
	return st, nil
}

// SaveContainerState replaces a container's state with a copy of st.
func (m *Memory) SaveContainerState(id string, st *define.ContainerState) error {
	if st == nil {
		return fmt.Errorf("save state of container %s: nil state: %w", id, define.ErrInvalidArg)
	}
	b, err := encodeJSON("state", st)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.ctrs[id]
	if !ok {
		return errNoSuchID(id)
	}
	c.state = b
	return nil
}

// LookupContainer resolves a full ID, an exact name or a unique ID prefix.
func (m *Memory) LookupContainer(nameOrID string) (string, error) {
	if nameOrID == "" {
		return "", errNoSuchNameOrID(nameOrID)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.ctrs[nameOrID]; ok {
		return nameOrID, nil
	}
	var prefixed []string
	for _, id := range m.order {
		if strings.HasPrefix(id, nameOrID) {
			prefixed = append(prefixed, id)
		}
	}
	return resolveLookup(nameOrID, m.ownerLocked(nameOrID), prefixed)
}

// Containers returns copies of every container's config and state in
// creation order.
func (m *Memory) Containers() ([]*define.ContainerRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]*define.ContainerRecord, 0, len(m.order))
	for _, id := range m.order {
		c := m.ctrs[id]
		rec, err := decodeRecord(id, c.cfg, c.state)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// RenameContainer changes a container's name.
func (m *Memory) RenameContainer(id, newName string) error {
	if newName == "" {
		return fmt.Errorf("rename container %s: empty name: %w", id, define.ErrInvalidArg)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.ctrs[id]
	if !ok {
		return errNoSuchID(id)
	}
	if owner := m.ownerLocked(newName); owner != "" {
		if owner == id {
			return nil
		}
		return errNameInUse(newName, owner)
	}
	cfg := &define.ContainerConfig{}
	if err := json.Unmarshal(c.cfg, cfg); err != nil {
		return fmt.Errorf("decode config of container %s: %w", id, err)
	}
	cfg.Name = newName
	b, err := encodeJSON("config", cfg)
	if err != nil {
		return err
	}
	c.cfg, c.name = b, newName
	return nil
}

// UpdateContainer rewrites a container's config and spec with fn.
func (m *Memory) UpdateContainer(id string, fn func(*define.ContainerConfig, *specs.Spec) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.ctrs[id]
	if !ok {
		return errNoSuchID(id)
	}
	cfg := &define.ContainerConfig{}
	if err := json.Unmarshal(c.cfg, cfg); err != nil {
		return fmt.Errorf("decode config of container %s: %w", id, err)
	}
	var spec *specs.Spec
	if c.spec != nil {
		spec = &specs.Spec{}
		if err := json.Unmarshal(c.spec, spec); err != nil {
			return fmt.Errorf("decode spec of container %s: %w", id, err)
		}
	}
	if err := fn(cfg, spec); err != nil {
		return err
	}
	cfgJSON, err := encodeJSON("config", cfg)
	if err != nil {
		return err
	}
	var specJSON []byte
	if spec != nil {
		if specJSON, err = encodeJSON("spec", spec); err != nil {
			return err
		}
	}
	c.cfg, c.spec = cfgJSON, specJSON
	return nil
}

// ContainersUsingImage returns the IDs of containers created from imageID.
func (m *Memory) ContainersUsingImage(imageID string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var ids []string
	for _, id := range m.order {
		if m.ctrs[id].image == imageID {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// ContainerDependents returns the containers that depend on id.
func (m *Memory) ContainerDependents(id string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.dependentsLocked(id), nil
}

// dependentsLocked is ContainerDependents.
// Preconditions: m.mu is held.
func (m *Memory) dependentsLocked(id string) []string {
	var ids []string
	for _, o := range m.order {
		if slices.Contains(m.ctrs[o].deps, id) {
			ids = append(ids, o)
		}
	}
	return ids
}

// RuntimeValue returns the value stored under key, or "" if there is none.
func (m *Memory) RuntimeValue(key string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.runtime[key], nil
}

// SetRuntimeValue stores value under key.
func (m *Memory) SetRuntimeValue(key, value string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.runtime[key] = value
	return nil
}

// Close does nothing; a Memory store stays usable for test inspection.
func (m *Memory) Close() error { return nil }

// RemovedExitCode returns the exit code a removed container had.
func (m *Memory) RemovedExitCode(id string) (int32, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	code, ok := m.exits[id]
	if !ok {
		return 0, errNoSuchID(id)
	}
	return code, nil
}
