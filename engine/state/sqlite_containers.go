package state

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine/define"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// AddContainer inserts a container. The ID and name checks and the insert
// share one immediate transaction, so two processes creating the same name
// cannot both succeed.
func (s *SQLite) AddContainer(cfg *define.ContainerConfig, spec *specs.Spec, st *define.ContainerState) error {
	if err := checkNewContainer(cfg); err != nil {
		return err
	}
	if st == nil {
		st = &define.ContainerState{}
	}
	cfgJSON, err := encodeJSON("config", cfg)
	if err != nil {
		return err
	}
	stJSON, err := encodeJSON("state", st)
	if err != nil {
		return err
	}
	row, err := newCtrRow(cfg, st, cfgJSON, stJSON)
	if err != nil {
		return fmt.Errorf("add container %s: %w", cfg.ID, err)
	}
	var specJSON []byte
	if spec != nil {
		if specJSON, err = encodeJSON("spec", spec); err != nil {
			return err
		}
	}
	return s.withTx(func(tx *sql.Tx) error {
		var owner string
		err := tx.QueryRow("SELECT id FROM containers WHERE id = ?", cfg.ID).Scan(&owner)
		if err == nil {
			return errCtrExists(cfg.ID)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("add container %s: %w", cfg.ID, err)
		}
		err = tx.QueryRow("SELECT id FROM containers WHERE name = ?", cfg.Name).Scan(&owner)
		if err == nil {
			return errNameInUse(cfg.Name, owner)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("add container %s: %w", cfg.ID, err)
		}
		if err := row.insert(tx); err != nil {
			return fmt.Errorf("add container %s: %w", cfg.ID, err)
		}
		if err := addVolumeUsers(tx, cfg); err != nil {
			return err
		}
		if err := addPodMember(tx, cfg); err != nil {
			return err
		}
		if specJSON != nil {
			if _, err := tx.Exec("INSERT INTO container_specs(id, spec) VALUES(?, ?)", cfg.ID, string(specJSON)); err != nil {
				return fmt.Errorf("add container %s: %w", cfg.ID, err)
			}
		}
		return nil
	})
}

// RemoveContainer deletes a container's row, keeping its exit code for
// RemovedExitCode; exit codes older than exitCodeTTL are pruned.
func (s *SQLite) RemoveContainer(id string) (retErr error) {
	tx, err := s.db.Begin()
	if err != nil {
		return fmt.Errorf("remove container %s: %w", id, err)
	}
	defer func() {
		if retErr != nil {
			_ = tx.Rollback()
		}
	}()
	now := time.Now().Unix()
	if _, err := tx.Exec(`INSERT OR REPLACE INTO exit_codes (id, code, at)
		SELECT id, exit_code, ? FROM containers WHERE id = ?`, now, id); err != nil {
		return fmt.Errorf("remove container %s: keep exit code: %w", id, err)
	}
	if deps, err := dependents(tx, id); err != nil {
		return fmt.Errorf("remove container %s: %w", id, err)
	} else if len(deps) > 0 {
		return errHasDependents(id, deps)
	}
	res, err := tx.Exec("DELETE FROM containers WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("remove container %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return errNoSuchID(id)
	}
	if _, err := tx.Exec("DELETE FROM exit_codes WHERE at < ?", now-int64(exitCodeTTL/time.Second)); err != nil {
		return fmt.Errorf("prune exit codes: %w", err)
	}
	return tx.Commit()
}

// RemovedExitCode returns the exit code a removed container had.
func (s *SQLite) RemovedExitCode(id string) (int32, error) {
	var code int32
	err := s.db.QueryRow("SELECT code FROM exit_codes WHERE id = ?", id).Scan(&code)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errNoSuchID(id)
	}
	if err != nil {
		return 0, fmt.Errorf("read exit code of %s: %w", id, err)
	}
	return code, nil
}

// Container returns the config and state of the container with full ID id.
func (s *SQLite) Container(id string) (*define.ContainerRecord, error) {
	var cfgJSON, stJSON []byte
	err := s.db.QueryRow("SELECT config, state FROM containers WHERE id = ?", id).Scan(&cfgJSON, &stJSON)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoSuchID(id)
	}
	if err != nil {
		return nil, fmt.Errorf("read container %s: %w", id, err)
	}
	return decodeRecord(id, cfgJSON, stJSON)
}

func decodeRecord(id string, cfgJSON, stJSON []byte) (*define.ContainerRecord, error) {
	rec := &define.ContainerRecord{Config: &define.ContainerConfig{}, State: &define.ContainerState{}}
	if err := json.Unmarshal(cfgJSON, rec.Config); err != nil {
		return nil, fmt.Errorf("decode config of container %s: %w", id, err)
	}
	if err := json.Unmarshal(stJSON, rec.State); err != nil {
		return nil, fmt.Errorf("decode state of container %s: %w", id, err)
	}
	return rec, nil
}

// ContainerSpec returns the stored OCI spec, or nil if none was stored.
func (s *SQLite) ContainerSpec(id string) (*specs.Spec, error) {
	var specJSON []byte
	err := s.db.QueryRow("SELECT s.spec FROM containers c LEFT JOIN container_specs s ON s.id = c.id WHERE c.id = ?", id).Scan(&specJSON)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoSuchID(id)
	}
	if err != nil {
		return nil, fmt.Errorf("read spec of container %s: %w", id, err)
	}
	if specJSON == nil {
		return nil, nil
	}
	spec := &specs.Spec{}
	if err := json.Unmarshal(specJSON, spec); err != nil {
		return nil, fmt.Errorf("decode spec of container %s: %w", id, err)
	}
	return spec, nil
}

// ContainerState returns only the mutable state: the per-operation sync
// reads this column and nothing else.
func (s *SQLite) ContainerState(id string) (*define.ContainerState, error) {
	var stJSON []byte
	err := s.db.QueryRow("SELECT state FROM containers WHERE id = ?", id).Scan(&stJSON)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoSuchID(id)
	}
	if err != nil {
		return nil, fmt.Errorf("read state of container %s: %w", id, err)
	}
	st := &define.ContainerState{}
	if err := json.Unmarshal(stJSON, st); err != nil {
		return nil, fmt.Errorf("decode state of container %s: %w", id, err)
	}
	return st, nil
}

// SaveContainerState replaces the state of a container, and the listing
// columns derived from it in the same statement.
func (s *SQLite) SaveContainerState(id string, st *define.ContainerState) error {
	if st == nil {
		return fmt.Errorf("save state of container %s: nil state: %w", id, define.ErrInvalidArg)
	}
	stJSON, err := encodeJSON("state", st)
	if err != nil {
		return err
	}
	cols, err := stateColumns(st)
	if err != nil {
		return fmt.Errorf("save state of container %s: %w", id, err)
	}
	res, err := s.db.Exec("UPDATE containers SET "+stateColsSet+", state = ? WHERE id = ?", append(cols.args(), string(stJSON), id)...)
	if err != nil {
		return fmt.Errorf("save state of container %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return errNoSuchID(id)
	}
	return nil
}

// LookupContainer resolves, in this order, a full ID, an exact name and a
// unique ID prefix. One query fetches every candidate; the prefix part is
// a range scan on the primary key, not a table scan.
func (s *SQLite) LookupContainer(nameOrID string) (string, error) {
	if nameOrID == "" {
		return "", errNoSuchNameOrID(nameOrID)
	}
	query := "SELECT id, name FROM containers WHERE id = ?1 OR name = ?1 OR (id > ?1 AND id < ?2)"
	args := []any{nameOrID}
	if upper, ok := prefixUpper(nameOrID); ok {
		args = append(args, upper)
	} else {
		query = "SELECT id, name FROM containers WHERE id = ?1 OR name = ?1 OR substr(id, 1, length(?1)) = ?1"
	}
	rows, err := s.db.Query(query, args...)
	if err != nil {
		return "", fmt.Errorf("look up container %q: %w", nameOrID, err)
	}
	defer rows.Close()
	var byName string
	var prefixed []string
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return "", fmt.Errorf("look up container %q: %w", nameOrID, err)
		}
		switch {
		case id == nameOrID:
			return id, nil
		case name == nameOrID:
			byName = id
		}
		if strings.HasPrefix(id, nameOrID) {
			prefixed = append(prefixed, id)
		}
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("look up container %q: %w", nameOrID, err)
	}
	return resolveLookup(nameOrID, byName, prefixed)
}

// resolveLookup applies the name-before-prefix rule shared by both stores.
func resolveLookup(nameOrID, byName string, prefixed []string) (string, error) {
	if byName != "" {
		return byName, nil
	}
	switch len(prefixed) {
	case 0:
		return "", errNoSuchNameOrID(nameOrID)
	case 1:
		return prefixed[0], nil
	}
	return "", errAmbiguous(nameOrID, len(prefixed))
}

// Containers returns every container's config and state in creation order.
// It never touches the spec column: ps over thousands of containers must
// stay cheap.
func (s *SQLite) Containers() ([]*define.ContainerRecord, error) {
	rows, err := s.db.Query("SELECT id, config, state FROM containers ORDER BY rowid")
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	defer rows.Close()
	var out []*define.ContainerRecord
	for rows.Next() {
		var id string
		var cfgJSON, stJSON []byte
		if err := rows.Scan(&id, &cfgJSON, &stJSON); err != nil {
			return nil, fmt.Errorf("list containers: %w", err)
		}
		rec, err := decodeRecord(id, cfgJSON, stJSON)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	return out, nil
}

// RenameContainer changes the name column and the name inside the config
// JSON in one transaction, so no reader ever sees them disagree.
func (s *SQLite) RenameContainer(id, newName string) error {
	if newName == "" {
		return fmt.Errorf("rename container %s: empty name: %w", id, define.ErrInvalidArg)
	}
	return s.withTx(func(tx *sql.Tx) error {
		var cfgJSON []byte
		err := tx.QueryRow("SELECT config FROM containers WHERE id = ?", id).Scan(&cfgJSON)
		if errors.Is(err, sql.ErrNoRows) {
			return errNoSuchID(id)
		}
		if err != nil {
			return fmt.Errorf("rename container %s: %w", id, err)
		}
		var owner string
		err = tx.QueryRow("SELECT id FROM containers WHERE name = ?", newName).Scan(&owner)
		switch {
		case err == nil && owner == id:
			return nil
		case err == nil:
			return errNameInUse(newName, owner)
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("rename container %s: %w", id, err)
		}
		cfg := &define.ContainerConfig{}
		if err := json.Unmarshal(cfgJSON, cfg); err != nil {
			return fmt.Errorf("decode config of container %s: %w", id, err)
		}
		cfg.Name = newName
		if cfgJSON, err = encodeJSON("config", cfg); err != nil {
			return err
		}
		if _, err := tx.Exec("UPDATE containers SET name = ?, config = ? WHERE id = ?", newName, string(cfgJSON), id); err != nil {
			return fmt.Errorf("rename container %s: %w", id, err)
		}
		return nil
	})
}

// UpdateContainer rewrites the config and spec documents with fn in one
// transaction.
func (s *SQLite) UpdateContainer(id string, fn func(*define.ContainerConfig, *specs.Spec) error) error {
	return s.withTx(func(tx *sql.Tx) error {
		var cfgJSON, specJSON []byte
		err := tx.QueryRow("SELECT c.config, s.spec FROM containers c LEFT JOIN container_specs s ON s.id = c.id WHERE c.id = ?", id).Scan(&cfgJSON, &specJSON)
		if errors.Is(err, sql.ErrNoRows) {
			return errNoSuchID(id)
		}
		if err != nil {
			return fmt.Errorf("update container %s: %w", id, err)
		}
		cfg := &define.ContainerConfig{}
		if err := json.Unmarshal(cfgJSON, cfg); err != nil {
			return fmt.Errorf("decode config of container %s: %w", id, err)
		}
		var spec *specs.Spec
		if specJSON != nil {
			spec = &specs.Spec{}
			if err := json.Unmarshal(specJSON, spec); err != nil {
				return fmt.Errorf("decode spec of container %s: %w", id, err)
			}
		}
		if err := fn(cfg, spec); err != nil {
			return err
		}
		if cfgJSON, err = encodeJSON("config", cfg); err != nil {
			return err
		}
		// The listing columns follow the config (update --restart changes
		// what ps --filter restart-policy sees, system migrate the runtime).
		cols, err := configColumns(cfg)
		if err != nil {
			return err
		}
		if _, err := tx.Exec("UPDATE containers SET config = ?, extra = ?, oci_runtime = ? WHERE id = ?", string(cfgJSON), cols.extra, cols.ociRuntime, id); err != nil {
			return fmt.Errorf("update container %s: %w", id, err)
		}
		if spec == nil {
			return nil
		}
		if specJSON, err = encodeJSON("spec", spec); err != nil {
			return err
		}
		if _, err := tx.Exec("UPDATE container_specs SET spec = ? WHERE id = ?", string(specJSON), id); err != nil {
			return fmt.Errorf("update container %s: %w", id, err)
		}
		return nil
	})
}

// ContainerDependents returns the containers that depend on id (an
// indexed lookup, which rm does for every container).
func (s *SQLite) ContainerDependents(id string) ([]string, error) {
	deps, err := dependents(s.db, id)
	if err != nil {
		return nil, fmt.Errorf("list dependents of container %s: %w", id, err)
	}
	return deps, nil
}

// dependents lists the containers that depend on id, in creation order.
func dependents(q interface {
	Query(string, ...any) (*sql.Rows, error)
}, id string) ([]string, error) {
	rows, err := q.Query(`SELECT d.id FROM container_dependencies d JOIN containers c ON c.id = d.id
		WHERE d.dependency = ? ORDER BY c.rowid`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var dep string
		if err := rows.Scan(&dep); err != nil {
			return nil, err
		}
		ids = append(ids, dep)
	}
	return ids, rows.Err()
}

// ContainersUsingImage returns the IDs of the containers created from
// imageID (an indexed lookup; image rm calls it for every image).
func (s *SQLite) ContainersUsingImage(imageID string) ([]string, error) {
	rows, err := s.db.Query("SELECT id FROM containers WHERE image_id = ? ORDER BY rowid", imageID)
	if err != nil {
		return nil, fmt.Errorf("list containers of image %s: %w", imageID, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("list containers of image %s: %w", imageID, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list containers of image %s: %w", imageID, err)
	}
	return ids, nil
}
