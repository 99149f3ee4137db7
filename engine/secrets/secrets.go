// Package secrets stores secrets the way podman does, so that podman and
// berth sharing a graph root see the same ones: the metadata in
// secrets.json (a record per ID plus the name<->ID maps) and, for the file
// driver (the only one), the data in filedriver/secretsdata.json. Both
// files are rewritten whole under one flock, as each CLI call is its own
// process.
package secrets

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/berth-dev/berth/internal/errdefs"
)

// MaxSize is podman's bound on a secret's data: at least 1 byte, less
// than 512000.
const MaxSize = 512000

// idLength is the length of a secret ID (25 hex characters, as podman).
const idLength = 25

// DriverFile is the only secret driver: the data in a JSON file next to
// the metadata (unencrypted, like podman's default).
const DriverFile = "file"

// Sentinel errors, with podman's texts.
var (
	ErrNoSuchSecret  = errdefs.New(errdefs.ErrNotFound, "no such secret")
	ErrNameInUse     = errdefs.New(errdefs.ErrConflict, "secret name in use")
	ErrInvalidName   = errdefs.New(errdefs.ErrInvalidArgument, "invalid secret name")
	ErrAmbiguous     = errdefs.New(errdefs.ErrInvalidArgument, "secret is ambiguous")
	ErrDataSize      = errdefs.New(errdefs.ErrInvalidArgument, "secret data must be larger than 0 and less than 512000 bytes")
	ErrInvalidDriver = errdefs.New(errdefs.ErrInvalidArgument, "invalid driver")
)

// Secret is one secret's metadata, in podman's secrets.json form.
type Secret struct {
	Name          string            `json:"name"`
	ID            string            `json:"id"`
	Labels        map[string]string `json:"labels,omitempty"`
	Metadata      map[string]string `json:"metadata,omitempty"`
	CreatedAt     time.Time         `json:"createdAt"`
	UpdatedAt     time.Time         `json:"updatedAt"`
	Driver        string            `json:"driver"`
	DriverOptions map[string]string `json:"driverOptions"`
}

// db is secrets.json.
type db struct {
	Secrets  map[string]Secret `json:"secrets"`
	NameToID map[string]string `json:"nameToID"`
	IDToName map[string]string `json:"idToName"`
}

// Manager is the secret store under one directory (GRAPHROOT/secrets).
type Manager struct {
	dir string
}

// NewManager returns the store in dir; nothing is created before the
// first write.
func NewManager(dir string) *Manager { return &Manager{dir: dir} }

// DataDir is where the file driver keeps the data (its "path" option).
func (m *Manager) DataDir() string { return filepath.Join(m.dir, "filedriver") }

// CheckName validates a secret name as podman does.
func CheckName(name string) error {
	if name == "" || len(name) > 253 || strings.ContainsAny(name, ",/=\x00") {
		return fmt.Errorf("secret name %q can not include '=', '/', ',', or the '\\0' (NULL) and be between 1 and 253 characters: %w", name, ErrInvalidName)
	}
	return nil
}

// StoreOptions are the choices of `secret create`.
type StoreOptions struct {
	Driver        string
	DriverOptions map[string]string
	Labels        map[string]string
	// Replace overwrites the data of an existing secret of that name,
	// keeping its ID (podman's --replace).
	Replace bool
}

// Store creates (or with Replace, updates) the secret name with data and
// returns its ID.
func (m *Manager) Store(name string, data []byte, o StoreOptions) (string, error) {
	if err := CheckName(name); err != nil {
		return "", err
	}
	if len(data) == 0 || len(data) >= MaxSize {
		return "", ErrDataSize
	}
	if o.Driver == "" {
		o.Driver = DriverFile
	}
	if o.Driver != DriverFile {
		return "", fmt.Errorf("%s: %w", o.Driver, ErrInvalidDriver)
	}
	var id string
	err := m.locked(func(d *db, all map[string][]byte) (bool, error) {
		now := time.Now()
		s := Secret{Name: name, CreatedAt: now}
		if old, ok := d.NameToID[name]; ok {
			if !o.Replace {
				return false, fmt.Errorf("%s: %w", name, ErrNameInUse)
			}
			s = d.Secrets[old]
		} else {
			for s.ID == "" || d.Secrets[s.ID].ID != "" {
				s.ID = newID()
			}
		}
		s.UpdatedAt = now
		s.Driver = o.Driver
		s.DriverOptions = map[string]string{"path": m.DataDir()}
		maps.Copy(s.DriverOptions, o.DriverOptions)
		s.Labels = o.Labels
		if s.Labels == nil {
			s.Labels = map[string]string{}
		}
		if s.Metadata == nil {
			s.Metadata = map[string]string{}
		}
		d.Secrets[s.ID] = s
		d.NameToID[name] = s.ID
		d.IDToName[s.ID] = name
		all[s.ID] = data
		id = s.ID
		return true, nil
	})
	return id, err
}

// Lookup returns the secret named nameOrID, or whose ID is or starts
// with it.
func (m *Manager) Lookup(nameOrID string) (*Secret, error) {
	d, err := m.readDB()
	if err != nil {
		return nil, err
	}
	return lookup(d, nameOrID)
}

// LookupData returns a secret and its data.
func (m *Manager) LookupData(nameOrID string) (*Secret, []byte, error) {
	d, err := m.readDB()
	if err != nil {
		return nil, nil, err
	}
	s, err := lookup(d, nameOrID)
	if err != nil {
		return nil, nil, err
	}
	all, err := m.readData()
	if err != nil {
		return nil, nil, err
	}
	data, ok := all[s.ID]
	if !ok {
		return nil, nil, fmt.Errorf("%s: no secret data with ID", s.ID)
	}
	return s, data, nil
}

// List returns every secret, oldest first.
func (m *Manager) List() ([]Secret, error) {
	d, err := m.readDB()
	if err != nil {
		return nil, err
	}
	out := make([]Secret, 0, len(d.Secrets))
	for _, s := range d.Secrets {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
	return out, nil
}

// Delete removes a secret and its data and returns its ID.
func (m *Manager) Delete(nameOrID string) (string, error) {
	var id string
	err := m.locked(func(d *db, data map[string][]byte) (bool, error) {
		s, err := lookup(d, nameOrID)
		if err != nil {
			return false, err
		}
		id = s.ID
		delete(d.Secrets, s.ID)
		delete(d.NameToID, s.Name)
		delete(d.IDToName, s.ID)
		delete(data, s.ID)
		return true, nil
	})
	return id, err
}

func lookup(d *db, nameOrID string) (*Secret, error) {
	if id, ok := d.NameToID[nameOrID]; ok {
		s := d.Secrets[id]
		return &s, nil
	}
	if s, ok := d.Secrets[nameOrID]; ok {
		return &s, nil
	}
	var found *Secret
	if nameOrID != "" {
		for id, s := range d.Secrets {
			if strings.HasPrefix(id, nameOrID) {
				if found != nil {
					return nil, fmt.Errorf("more than one result secret with prefix %s: %w", nameOrID, ErrAmbiguous)
				}
				s := s
				found = &s
			}
		}
	}
	if found == nil {
		return nil, fmt.Errorf("no secret with name or id %q: %w", nameOrID, ErrNoSuchSecret)
	}
	return found, nil
}

// locked runs fn on the metadata and the data under the store's lock and
// writes both back when it reports a change.
func (m *Manager) locked(fn func(*db, map[string][]byte) (bool, error)) error {
	if err := os.MkdirAll(m.DataDir(), 0o700); err != nil {
		return err
	}
	lf, err := os.OpenFile(filepath.Join(m.dir, "secrets.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer lf.Close()
	if err := syscall.Flock(int(lf.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	d, err := m.readDB()
	if err != nil {
		return err
	}
	data, err := m.readData()
	if err != nil {
		return err
	}
	changed, err := fn(d, data)
	if err != nil || !changed {
		return err
	}
	// Data first: a record never points at data that is not there.
	if err := writeJSON(filepath.Join(m.DataDir(), "secretsdata.json"), data); err != nil {
		return err
	}
	return writeJSON(filepath.Join(m.dir, "secrets.json"), d)
}

func (m *Manager) readDB() (*db, error) {
	d := &db{}
	if err := readJSON(filepath.Join(m.dir, "secrets.json"), d); err != nil {
		return nil, err
	}
	if d.Secrets == nil {
		d.Secrets = map[string]Secret{}
	}
	if d.NameToID == nil {
		d.NameToID = map[string]string{}
	}
	if d.IDToName == nil {
		d.IDToName = map[string]string{}
	}
	return d, nil
}

func (m *Manager) readData() (map[string][]byte, error) {
	data := map[string][]byte{}
	if err := readJSON(filepath.Join(m.DataDir(), "secretsdata.json"), &data); err != nil {
		return nil, err
	}
	return data, nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// writeJSON replaces path atomically (0600: the data file holds the
// secrets in clear).
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func newID() string {
	b := make([]byte, 13)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return hex.EncodeToString(b)[:idLength]
}
