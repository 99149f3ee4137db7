package state

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/berth-dev/berth/engine/define"
)

// AddPod persists a new pod.
func (s *SQLite) AddPod(cfg *define.PodConfig) error {
	if err := checkNewPod(cfg); err != nil {
		return err
	}
	cfgJSON, err := encodeJSON("pod config", cfg)
	if err != nil {
		return err
	}
	return s.withTx(func(tx *sql.Tx) error {
		var owner string
		err := tx.QueryRow("SELECT id FROM pods WHERE name = ? OR id = ?", cfg.Name, cfg.ID).Scan(&owner)
		if err == nil {
			return errPodNameInUse(cfg.Name)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("add pod %s: %w", cfg.ID, err)
		}
		if _, err := tx.Exec("INSERT INTO pods(id, name, created, config) VALUES(?, ?, ?, ?)",
			cfg.ID, cfg.Name, unixNano(cfg.CreatedTime), string(cfgJSON)); err != nil {
			return fmt.Errorf("add pod %s: %w", cfg.ID, err)
		}
		return nil
	})
}

// SavePodConfig replaces a pod's config (never its name).
func (s *SQLite) SavePodConfig(cfg *define.PodConfig) error {
	cfgJSON, err := encodeJSON("pod config", cfg)
	if err != nil {
		return err
	}
	res, err := s.db.Exec("UPDATE pods SET config = ? WHERE id = ?", string(cfgJSON), cfg.ID)
	if err != nil {
		return fmt.Errorf("save pod %s: %w", cfg.ID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return errNoSuchPod(cfg.ID)
	}
	return nil
}

// RemovePod deletes a pod without members; the foreign key of
// pod_containers refuses it otherwise, even against a racing create.
func (s *SQLite) RemovePod(id string) error {
	return s.withTx(func(tx *sql.Tx) error {
		if ctrs, err := podContainers(tx, id); err != nil {
			return err
		} else if len(ctrs) > 0 {
			return errPodHasMembers(id, ctrs)
		}
		res, err := tx.Exec("DELETE FROM pods WHERE id = ?", id)
		if err != nil {
			return fmt.Errorf("remove pod %s: %w", id, err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return errNoSuchPod(id)
		}
		return nil
	})
}

// Pod returns a pod by full ID.
func (s *SQLite) Pod(id string) (*define.PodConfig, error) {
	var cfgJSON []byte
	err := s.db.QueryRow("SELECT config FROM pods WHERE id = ?", id).Scan(&cfgJSON)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoSuchPod(id)
	}
	if err != nil {
		return nil, fmt.Errorf("read pod %s: %w", id, err)
	}
	return decodePod(id, cfgJSON)
}

func decodePod(id string, cfgJSON []byte) (*define.PodConfig, error) {
	cfg := &define.PodConfig{}
	if err := json.Unmarshal(cfgJSON, cfg); err != nil {
		return nil, fmt.Errorf("pod %s config: %w", id, err)
	}
	return cfg, nil
}

// LookupPod resolves a full ID, an exact name or a unique ID prefix.
func (s *SQLite) LookupPod(nameOrID string) (string, error) {
	if nameOrID == "" {
		return "", errNoSuchPod(nameOrID)
	}
	rows, err := s.db.Query("SELECT id, name FROM pods WHERE id = ?1 OR name = ?1 OR substr(id, 1, length(?1)) = ?1", nameOrID)
	if err != nil {
		return "", fmt.Errorf("look up pod %q: %w", nameOrID, err)
	}
	defer rows.Close()
	var ids, names []string
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return "", fmt.Errorf("look up pod %q: %w", nameOrID, err)
		}
		ids, names = append(ids, id), append(names, name)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("look up pod %q: %w", nameOrID, err)
	}
	return resolvePodLookup(nameOrID, ids, names)
}

// resolvePodLookup applies the ID, then name, then prefix rule of both
// stores to the candidates.
func resolvePodLookup(nameOrID string, ids, names []string) (string, error) {
	var byName string
	var prefixed []string
	for i, id := range ids {
		switch {
		case id == nameOrID:
			return id, nil
		case names[i] == nameOrID:
			byName = id
		}
		if strings.HasPrefix(id, nameOrID) {
			prefixed = append(prefixed, id)
		}
	}
	if byName != "" {
		return byName, nil
	}
	switch len(prefixed) {
	case 0:
		return "", errNoSuchPod(nameOrID)
	case 1:
		return prefixed[0], nil
	}
	return "", errAmbiguousPod(nameOrID, len(prefixed))
}

// Pods returns every pod, oldest first.
func (s *SQLite) Pods() ([]*define.PodConfig, error) {
	rows, err := s.db.Query("SELECT id, config FROM pods ORDER BY created, id")
	if err != nil {
		return nil, fmt.Errorf("list pods: %w", err)
	}
	defer rows.Close()
	var out []*define.PodConfig
	for rows.Next() {
		var id string
		var cfgJSON []byte
		if err := rows.Scan(&id, &cfgJSON); err != nil {
			return nil, fmt.Errorf("list pods: %w", err)
		}
		cfg, err := decodePod(id, cfgJSON)
		if err != nil {
			return nil, err
		}
		out = append(out, cfg)
	}
	return out, rows.Err()
}

// PodContainers returns the IDs of a pod's members, in creation order.
func (s *SQLite) PodContainers(id string) ([]string, error) {
	return podContainers(s.db, id)
}

func podContainers(q querier, id string) ([]string, error) {
	rows, err := q.Query("SELECT pc.ctr FROM pod_containers pc JOIN containers c ON c.id = pc.ctr WHERE pc.pod = ? ORDER BY c.rowid", id)
	if err != nil {
		return nil, fmt.Errorf("containers of pod %s: %w", id, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var ctr string
		if err := rows.Scan(&ctr); err != nil {
			return nil, fmt.Errorf("containers of pod %s: %w", id, err)
		}
		ids = append(ids, ctr)
	}
	return ids, rows.Err()
}

// addPodMember records, with a new container, the pod it joins. The
// foreign key refuses a pod that does not exist (any more), so a
// container never joins a pod removed meanwhile.
func addPodMember(tx *sql.Tx, cfg *define.ContainerConfig) error {
	if cfg.Pod == "" {
		return nil
	}
	if _, err := tx.Exec("INSERT INTO pod_containers(ctr, pod) VALUES(?, ?)", cfg.ID, cfg.Pod); err != nil {
		if strings.Contains(err.Error(), "FOREIGN KEY") {
			return errNoSuchPod(cfg.Pod)
		}
		return fmt.Errorf("add container %s: pod %s: %w", cfg.ID, cfg.Pod, err)
	}
	return nil
}
