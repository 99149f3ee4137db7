package state

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"

	"github.com/berth-dev/berth/engine/define"
)

type memVolume struct {
	cfg, state []byte
	created    int64
}

// AddVolume stores a new volume.
func (m *Memory) AddVolume(cfg *define.VolumeConfig, st *define.VolumeState) error {
	if err := checkNewVolume(cfg); err != nil {
		return err
	}
	if st == nil {
		st = &define.VolumeState{}
	}
	v := &memVolume{created: unixNano(cfg.CreatedTime)}
	var err error
	if v.cfg, err = encodeJSON("volume config", cfg); err != nil {
		return err
	}
	if v.state, err = encodeJSON("volume state", st); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.vols[cfg.Name] != nil {
		return errVolumeExists(cfg.Name)
	}
	m.vols[cfg.Name] = v
	return nil
}

// RemoveVolume deletes an unused volume.
func (m *Memory) RemoveVolume(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.vols[name] == nil {
		return errNoSuchVolume(name)
	}
	if users := m.volumeUsersLocked(name); len(users) > 0 {
		return errVolumeInUse(name, users)
	}
	delete(m.vols, name)
	return nil
}

// Volume returns one volume by exact name.
func (m *Memory) Volume(name string) (*define.VolumeRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v := m.vols[name]
	if v == nil {
		return nil, errNoSuchVolume(name)
	}
	return v.record(name)
}

func (v *memVolume) record(name string) (*define.VolumeRecord, error) {
	rec := &define.VolumeRecord{Config: &define.VolumeConfig{}, State: &define.VolumeState{}}
	if err := json.Unmarshal(v.cfg, rec.Config); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(v.state, rec.State); err != nil {
		return nil, err
	}
	return rec, nil
}

// LookupVolume resolves an exact name or a unique prefix.
func (m *Memory) LookupVolume(name string) (string, error) {
	if name == "" {
		return "", errNoSuchVolume(name)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.vols[name] != nil {
		return name, nil
	}
	var matches []string
	for n := range m.vols {
		if strings.HasPrefix(n, name) {
			matches = append(matches, n)
		}
	}
	return resolveVolumeLookup(name, matches)
}

// Volumes returns every volume, oldest first.
func (m *Memory) Volumes() ([]*define.VolumeRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	names := make([]string, 0, len(m.vols))
	for n := range m.vols {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := m.vols[names[i]], m.vols[names[j]]
		if a.created != b.created {
			return a.created < b.created
		}
		return names[i] < names[j]
	})
	out := make([]*define.VolumeRecord, 0, len(names))
	for _, n := range names {
		rec, err := m.vols[n].record(n)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// SaveVolumeState replaces a volume's state.
func (m *Memory) SaveVolumeState(name string, st *define.VolumeState) error {
	b, err := encodeJSON("volume state", st)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v := m.vols[name]
	if v == nil {
		return errNoSuchVolume(name)
	}
	v.state = b
	return nil
}

// VolumeUsers returns the IDs of the containers mounting a volume.
func (m *Memory) VolumeUsers(name string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.volumeUsersLocked(name), nil
}

// Preconditions: m.mu is held.
func (m *Memory) volumeUsersLocked(name string) []string {
	var ids []string
	for id, c := range m.ctrs {
		if slices.Contains(c.volumes, name) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}
