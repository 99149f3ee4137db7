// Package connection keeps the named destinations of berth services
// (`system connection add|ls|rm|default|rename`) in a JSON file shaped like
// podman 5's podman-connections.json, and turns a destination into a
// service URI.
package connection

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"go.podman.io/storage/pkg/ioutils"
)

// EnvConf names a file that replaces the default connections file (like
// podman's PODMAN_CONNECTIONS_CONF).
const EnvConf = "BERTH_CONNECTIONS_CONF"

// Connection is one named destination.
type Connection struct {
	URI       string `json:"URI"`
	Identity  string `json:"Identity,omitempty"`
	IsMachine bool   `json:"IsMachine,omitempty"`
}

// File is the on-disk record: podman 5's {"Connection": {"Default": NAME,
// "Connections": {NAME: {...}}}}.
type File struct {
	Connection struct {
		Default     string                `json:"Default,omitempty"`
		Connections map[string]Connection `json:"Connections"`
	} `json:"Connection"`
}

// Entry is a connection with its name, as `system connection ls` prints it.
type Entry struct {
	Name      string
	URI       string
	Identity  string
	IsMachine bool
	Default   bool
	ReadWrite bool
}

// Path returns the connections file: $BERTH_CONNECTIONS_CONF, else
// $XDG_CONFIG_HOME/containers/berth-connections.json, else the same under
// $HOME/.config.
func Path() (string, error) {
	if p := os.Getenv(EnvConf); p != "" {
		return p, nil
	}
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("locating the connections file: %w", err)
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "containers", "berth-connections.json"), nil
}

// Load reads the connections file at path; a missing file is empty.
func Load(path string) (*File, error) {
	f := &File{}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		f.Connection.Connections = map[string]Connection{}
		return f, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, f); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if f.Connection.Connections == nil {
		f.Connection.Connections = map[string]Connection{}
	}
	return f, nil
}

// Save writes f to path atomically (a temporary file renamed over it), so
// a concurrent reader sees the old or the new file, never half of one.
func (f *File) Save(path string) error {
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return ioutils.AtomicWriteFile(path, append(data, '\n'), 0o600)
}

// Edit loads the file at path, applies fn and saves the result when fn
// succeeds.
func Edit(path string, fn func(*File) error) error {
	f, err := Load(path)
	if err != nil {
		return err
	}
	if err := fn(f); err != nil {
		return err
	}
	return f.Save(path)
}

// notDefined is podman's error for a name it has no connection for.
func notDefined(name string) error {
	return fmt.Errorf("%q destination is not defined. See \"berth system connection add ...\" to create a connection", name)
}

// Add records c under name; the first connection, or one added with
// makeDefault, becomes the default.
func (f *File) Add(name string, c Connection, makeDefault bool) error {
	if name == "" {
		return errors.New("connection name must not be empty")
	}
	if _, ok := f.Connection.Connections[name]; ok {
		return fmt.Errorf("connection %q already exists", name)
	}
	f.Connection.Connections[name] = c
	if makeDefault || len(f.Connection.Connections) == 1 {
		f.Connection.Default = name
	}
	return nil
}

// Remove deletes name (a missing one is not an error, like podman) and
// clears the default when it was that one.
func (f *File) Remove(name string) {
	delete(f.Connection.Connections, name)
	if f.Connection.Default == name {
		f.Connection.Default = ""
	}
}

// RemoveAll deletes every connection.
func (f *File) RemoveAll() {
	f.Connection.Connections = map[string]Connection{}
	f.Connection.Default = ""
}

// SetDefault makes name the default connection.
func (f *File) SetDefault(name string) error {
	if _, ok := f.Connection.Connections[name]; !ok {
		return notDefined(name)
	}
	f.Connection.Default = name
	return nil
}

// Rename moves a connection to a new name, keeping it the default if it
// was.
func (f *File) Rename(old, name string) error {
	c, ok := f.Connection.Connections[old]
	if !ok {
		return notDefined(old)
	}
	if _, ok := f.Connection.Connections[name]; ok && name != old {
		return fmt.Errorf("connection %q already exists", name)
	}
	delete(f.Connection.Connections, old)
	f.Connection.Connections[name] = c
	if f.Connection.Default == old {
		f.Connection.Default = name
	}
	return nil
}

// Lookup returns the named connection.
func (f *File) Lookup(name string) (Connection, error) {
	c, ok := f.Connection.Connections[name]
	if !ok {
		return Connection{}, notDefined(name)
	}
	return c, nil
}

// Default returns the default connection, if one is set.
func (f *File) Default() (Connection, bool) {
	c, ok := f.Connection.Connections[f.Connection.Default]
	return c, ok && f.Connection.Default != ""
}

// List returns every connection sorted by name.
func (f *File) List() []Entry {
	out := make([]Entry, 0, len(f.Connection.Connections))
	for name, c := range f.Connection.Connections {
		out = append(out, Entry{Name: name, URI: c.URI, Identity: c.Identity, IsMachine: c.IsMachine,
			Default: name == f.Connection.Default, ReadWrite: true})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
