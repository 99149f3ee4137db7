package state

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/berth-dev/berth/engine/define"
)

// AddVolume persists a new volume; a taken name wraps ErrVolumeExists.
func (s *SQLite) AddVolume(cfg *define.VolumeConfig, st *define.VolumeState) error {
	if err := checkNewVolume(cfg); err != nil {
		return err
	}
	if st == nil {
		st = &define.VolumeState{}
	}
	cfgJSON, err := encodeJSON("volume config", cfg)
	if err != nil {
		return err
	}
	stJSON, err := encodeJSON("volume state", st)
	if err != nil {
		return err
	}
	return s.withTx(func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRow("SELECT count(*) FROM volumes WHERE name = ?", cfg.Name).Scan(&n); err != nil {
			return fmt.Errorf("add volume %s: %w", cfg.Name, err)
		}
		if n > 0 {
			return errVolumeExists(cfg.Name)
		}
		if _, err := tx.Exec("INSERT INTO volumes(name, created, config, state) VALUES(?, ?, ?, ?)",
			cfg.Name, unixNano(cfg.CreatedTime), string(cfgJSON), string(stJSON)); err != nil {
			return fmt.Errorf("add volume %s: %w", cfg.Name, err)
		}
		return nil
	})
}

// RemoveVolume deletes a volume's row. A volume some container uses
// wraps ErrVolumeBeingUsed and stays.
func (s *SQLite) RemoveVolume(name string) error {
	return s.withTx(func(tx *sql.Tx) error {
		users, err := volumeUsers(tx, name)
		if err != nil {
			return err
		}
		if len(users) > 0 {
			return errVolumeInUse(name, users)
		}
		res, err := tx.Exec("DELETE FROM volumes WHERE name = ?", name)
		if err != nil {
			return fmt.Errorf("remove volume %s: %w", name, err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return errNoSuchVolume(name)
		}
		return nil
	})
}

// Volume returns one volume by its exact name.
func (s *SQLite) Volume(name string) (*define.VolumeRecord, error) {
	var cfgJSON, stJSON []byte
	err := s.db.QueryRow("SELECT config, state FROM volumes WHERE name = ?", name).Scan(&cfgJSON, &stJSON)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoSuchVolume(name)
	}
	if err != nil {
		return nil, fmt.Errorf("read volume %s: %w", name, err)
	}
	return decodeVolume(name, cfgJSON, stJSON)
}

func decodeVolume(name string, cfgJSON, stJSON []byte) (*define.VolumeRecord, error) {
	rec := &define.VolumeRecord{Config: &define.VolumeConfig{}, State: &define.VolumeState{}}
	if err := json.Unmarshal(cfgJSON, rec.Config); err != nil {
		return nil, fmt.Errorf("volume %s config: %w", name, err)
	}
	if err := json.Unmarshal(stJSON, rec.State); err != nil {
		return nil, fmt.Errorf("volume %s state: %w", name, err)
	}
	return rec, nil
}

// LookupVolume resolves an exact name, else a unique name prefix (as
// podman does), to a volume's name.
func (s *SQLite) LookupVolume(name string) (string, error) {
	if name == "" {
		return "", errNoSuchVolume(name)
	}
	rows, err := s.db.Query("SELECT name FROM volumes WHERE substr(name, 1, length(?1)) = ?1", name)
	if err != nil {
		return "", fmt.Errorf("look up volume %q: %w", name, err)
	}
	defer rows.Close()
	var matches []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return "", fmt.Errorf("look up volume %q: %w", name, err)
		}
		if n == name {
			return n, nil
		}
		matches = append(matches, n)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("look up volume %q: %w", name, err)
	}
	return resolveVolumeLookup(name, matches)
}

// Volumes returns every volume, oldest first.
func (s *SQLite) Volumes() ([]*define.VolumeRecord, error) {
	rows, err := s.db.Query("SELECT name, config, state FROM volumes ORDER BY created, name")
	if err != nil {
		return nil, fmt.Errorf("list volumes: %w", err)
	}
	defer rows.Close()
	var out []*define.VolumeRecord
	for rows.Next() {
		var name string
		var cfgJSON, stJSON []byte
		if err := rows.Scan(&name, &cfgJSON, &stJSON); err != nil {
			return nil, fmt.Errorf("list volumes: %w", err)
		}
		rec, err := decodeVolume(name, cfgJSON, stJSON)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, rows.Err()
}

// SaveVolumeState replaces a volume's state.
func (s *SQLite) SaveVolumeState(name string, st *define.VolumeState) error {
	stJSON, err := encodeJSON("volume state", st)
	if err != nil {
		return err
	}
	res, err := s.db.Exec("UPDATE volumes SET state = ? WHERE name = ?", string(stJSON), name)
	if err != nil {
		return fmt.Errorf("save volume %s: %w", name, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return errNoSuchVolume(name)
	}
	return nil
}

// VolumeUsers returns the IDs of the containers that mount a volume.
func (s *SQLite) VolumeUsers(name string) ([]string, error) {
	return volumeUsers(s.db, name)
}

type querier interface {
	Query(query string, args ...any) (*sql.Rows, error)
}

func volumeUsers(q querier, name string) ([]string, error) {
	rows, err := q.Query("SELECT ctr FROM container_volumes WHERE volume = ? ORDER BY ctr", name)
	if err != nil {
		return nil, fmt.Errorf("users of volume %s: %w", name, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("users of volume %s: %w", name, err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// addVolumeUsers records, with a new container, the volumes it mounts. The
// foreign key refuses a volume that does not exist (any more), so a
// container can never be created on a volume removed meanwhile.
func addVolumeUsers(tx *sql.Tx, cfg *define.ContainerConfig) error {
	for _, name := range volumeNames(cfg) {
		if _, err := tx.Exec("INSERT INTO container_volumes(ctr, volume) VALUES(?, ?)", cfg.ID, name); err != nil {
			if strings.Contains(err.Error(), "FOREIGN KEY") {
				return errNoSuchVolume(name)
			}
			return fmt.Errorf("add container %s: volume %s: %w", cfg.ID, name, err)
		}
	}
	return nil
}
