package state

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/berth-dev/berth/engine/define"
)

// migrate creates the schema unless user_version says it is there, and
// brings older databases up to date in the same transaction.
func (s *SQLite) migrate() error {
	var v int
	if err := s.db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if v == schemaVersion {
		return nil
	}
	if v > schemaVersion {
		return fmt.Errorf("schema version %d is newer than this berth (%d)", v, schemaVersion)
	}
	return s.withTx(func(tx *sql.Tx) error {
		// Re-check under the write lock: another process may have won.
		if err := tx.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		if v == schemaVersion {
			return nil
		}
		if v == 2 || v == 3 {
			if err := rebuildContainers(tx, v); err != nil {
				return fmt.Errorf("migrate schema %d -> %d: %w", v, schemaVersion, err)
			}
		}
		if v == 4 {
			// Version 5 records the start time of each PID.
			if err := execAll(tx, "ALTER TABLE containers ADD COLUMN pid_start INTEGER NOT NULL DEFAULT 0",
				"ALTER TABLE containers ADD COLUMN conmon_pid_start INTEGER NOT NULL DEFAULT 0"); err != nil {
				return fmt.Errorf("migrate schema %d -> %d: %w", v, schemaVersion, err)
			}
		}
		// Versions 6 and 7 added the volume and pod tables, which the
		// schema creates.
		if _, err := tx.Exec(schema); err != nil {
			return fmt.Errorf("create schema: %w", err)
		}
		if v >= 2 && v <= 4 {
			if err := addDependencies(tx); err != nil {
				return fmt.Errorf("migrate schema %d -> %d: %w", v, schemaVersion, err)
			}
		}
		if _, err := tx.Exec(fmt.Sprintf("PRAGMA user_version = %d", schemaVersion)); err != nil {
			return fmt.Errorf("set schema version: %w", err)
		}
		return nil
	})
}

// rebuildContainers moves the containers of a version 2 or 3 database
// into the current table layout, filling the listing columns from each
// config and state. Version 2 kept the spec in the containers table;
// version 3 moved it to container_specs and added a listing column, which
// version 4 replaces by plain columns. Going straight from either to the
// current layout rebuilds the table once.
//
// A version 3 container_specs is moved aside and copied too: renaming
// containers rewrites the REFERENCES of its children to the new name, so
// dropping the old table would cascade-delete every spec still pointing
// at it.
func rebuildContainers(tx *sql.Tx, version int) error {
	steps := []string{"ALTER TABLE containers RENAME TO containers_old", "DROP INDEX IF EXISTS containers_image_id"}
	if version == 3 {
		steps = append(steps, "ALTER TABLE container_specs RENAME TO container_specs_old")
	}
	steps = append(steps, schema)
	if err := execAll(tx, steps...); err != nil {
		return err
	}
	if err := copyContainers(tx); err != nil {
		return err
	}
	steps = []string{"INSERT INTO container_specs(id, spec) SELECT id, spec FROM containers_old WHERE spec IS NOT NULL"}
	if version == 3 {
		steps = []string{
			"INSERT INTO container_specs(id, spec) SELECT id, spec FROM container_specs_old",
			"DROP TABLE container_specs_old",
		}
	}
	return execAll(tx, append(steps, "DROP TABLE containers_old")...)
}

// copyContainers inserts every row of containers_old, in creation order,
// with the listing columns derived from its documents. The name and image
// columns are copied as they are: they are the ones lookups use.
func copyContainers(tx *sql.Tx) error {
	rows, err := tx.Query("SELECT id, name, image_id, state, config FROM containers_old ORDER BY rowid")
	if err != nil {
		return err
	}
	var todo []*ctrRow
	for rows.Next() {
		var id, name, imageID string
		var stJSON, cfgJSON []byte
		if err := rows.Scan(&id, &name, &imageID, &stJSON, &cfgJSON); err != nil {
			rows.Close()
			return err
		}
		rec, err := decodeRecord(id, cfgJSON, stJSON)
		if err != nil {
			rows.Close()
			return err
		}
		r, err := newCtrRow(rec.Config, rec.State, cfgJSON, stJSON)
		if err != nil {
			rows.Close()
			return fmt.Errorf("container %s: %w", id, err)
		}
		r.id, r.name, r.imageID = id, name, imageID
		todo = append(todo, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range todo {
		if err := r.insert(tx); err != nil {
			return fmt.Errorf("container %s: %w", r.id, err)
		}
	}
	return nil
}

func execAll(tx *sql.Tx, stmts ...string) error {
	for _, q := range stmts {
		if _, err := tx.Exec(q); err != nil {
			return err
		}
	}
	return nil
}

// addDependencies gives the containers of a database older than version 5
// their Dependencies: the containers whose namespaces they join, as a
// create now records them (config and container_dependencies).
func addDependencies(tx *sql.Tx) error {
	rows, err := tx.Query(`SELECT id, config FROM containers WHERE config LIKE '%"namespaces"%' ORDER BY rowid`)
	if err != nil {
		return err
	}
	var todo []*define.ContainerConfig
	for rows.Next() {
		var id string
		var cfgJSON []byte
		if err := rows.Scan(&id, &cfgJSON); err != nil {
			rows.Close()
			return err
		}
		cfg := &define.ContainerConfig{}
		if err := json.Unmarshal(cfgJSON, cfg); err != nil {
			rows.Close()
			return fmt.Errorf("decode config of container %s: %w", id, err)
		}
		if len(cfg.Namespaces) > 0 && len(cfg.Dependencies) == 0 {
			todo = append(todo, cfg)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, cfg := range todo {
		for _, dep := range cfg.Namespaces {
			var ok int
			err := tx.QueryRow("SELECT 1 FROM containers WHERE id = ?", dep).Scan(&ok)
			if err == nil && !slices.Contains(cfg.Dependencies, dep) {
				cfg.Dependencies = append(cfg.Dependencies, dep)
			}
		}
		if len(cfg.Dependencies) == 0 {
			continue
		}
		slices.Sort(cfg.Dependencies)
		cfgJSON, err := encodeJSON("config", cfg)
		if err != nil {
			return err
		}
		if _, err := tx.Exec("UPDATE containers SET config = ? WHERE id = ?", string(cfgJSON), cfg.ID); err != nil {
			return fmt.Errorf("container %s: %w", cfg.ID, err)
		}
		if err := insertDependencies(tx, cfg.ID, cfg.Dependencies); err != nil {
			return fmt.Errorf("container %s: %w", cfg.ID, err)
		}
	}
	return nil
}
