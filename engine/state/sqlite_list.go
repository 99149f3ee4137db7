package state

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/berth-dev/berth/engine/define"
)

// listing is the part of a container's config that `ps` shows, stored in
// its own small column so listing thousands of containers never reads or
// decodes whole configs. Its JSON tags are those of define.ContainerConfig,
// so it decodes straight into one.
type listing struct {
	ImageName   string               `json:"imageName,omitempty"`
	Created     time.Time            `json:"created"`
	Rootfs      string               `json:"rootfs,omitempty"`
	AutoRemove  bool                 `json:"autoRemove,omitempty"`
	Pod         string               `json:"pod,omitempty"`
	OCIRuntime  string               `json:"ociRuntime,omitempty"`
	Command     []string             `json:"command,omitempty"`
	Labels      map[string]string    `json:"labels,omitempty"`
	UserVolumes []string             `json:"userVolumes,omitempty"`
	Networks    []string             `json:"networks,omitempty"`
	Ports       []define.PortMapping `json:"ports,omitempty"`
}

func listingOf(c *define.ContainerConfig) listing {
	return listing{ImageName: c.ImageName, Created: c.CreatedTime, Rootfs: c.Rootfs, AutoRemove: c.AutoRemove,
		Pod: c.Pod, OCIRuntime: c.OCIRuntime, Command: c.Command, Labels: c.Labels,
		UserVolumes: c.UserVolumes, Networks: c.Networks, Ports: c.Ports}
}

// listingState is the part of define.ContainerState that listing needs
// (same JSON tags); decoding only these skips the rest of each document
// (network results, exec sessions) without allocating it.
type listingState struct {
	Status       define.ContainerStatus              `json:"status"`
	PID          int                                 `json:"pid,omitempty"`
	ConmonPID    int                                 `json:"conmonPid,omitempty"`
	ExitCode     int32                               `json:"exitCode"`
	StartedTime  time.Time                           `json:"startedAt,omitempty"`
	FinishedTime time.Time                           `json:"finishedAt,omitempty"`
	RestartCount int                                 `json:"restartCount,omitempty"`
	NetNS        string                              `json:"netNS,omitempty"`
	Networks     map[string]define.PerNetworkOptions `json:"networks,omitempty"`
	Ports        []define.PortMapping                `json:"ports,omitempty"`
}

func (l *listingState) into(st *define.ContainerState) {
	st.Status, st.PID, st.ConmonPID, st.ExitCode = l.Status, l.PID, l.ConmonPID, l.ExitCode
	st.StartedTime, st.FinishedTime, st.RestartCount = l.StartedTime, l.FinishedTime, l.RestartCount
	st.NetNS, st.Networks, st.Ports = l.NetNS, l.Networks, l.Ports
}

// backfillListing fills the listing column of rows written before it
// existed (schema migration 2 -> 3).
func backfillListing(tx *sql.Tx) error {
	rows, err := tx.Query("SELECT id, config FROM containers")
	if err != nil {
		return fmt.Errorf("migrate schema: %w", err)
	}
	type row struct{ id, listing string }
	var updates []row
	for rows.Next() {
		var id string
		var cfgJSON []byte
		if err := rows.Scan(&id, &cfgJSON); err != nil {
			rows.Close()
			return fmt.Errorf("migrate schema: %w", err)
		}
		var cfg define.ContainerConfig
		if err := json.Unmarshal(cfgJSON, &cfg); err != nil {
			rows.Close()
			return fmt.Errorf("migrate schema: config of %s: %w", id, err)
		}
		l, err := json.Marshal(listingOf(&cfg))
		if err != nil {
			rows.Close()
			return err
		}
		updates = append(updates, row{id, string(l)})
	}
	rows.Close()
	for _, u := range updates {
		if _, err := tx.Exec("UPDATE containers SET listing = ? WHERE id = ?", u.listing, u.id); err != nil {
			return fmt.Errorf("migrate schema: %w", err)
		}
	}
	return nil
}

// ContainerSummaries returns every container with only the listing fields
// of its config (and its whole, small, state) filled in.
func (s *SQLite) ContainerSummaries() ([]*define.ContainerRecord, error) {
	rows, err := s.db.Query("SELECT id, name, image_id, listing, state FROM containers ORDER BY rowid")
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	defer rows.Close()
	var out []*define.ContainerRecord
	for rows.Next() {
		rec := &define.ContainerRecord{Config: &define.ContainerConfig{}, State: &define.ContainerState{}}
		var listJSON, stJSON []byte
		if err := rows.Scan(&rec.Config.ID, &rec.Config.Name, &rec.Config.ImageID, &listJSON, &stJSON); err != nil {
			return nil, fmt.Errorf("list containers: %w", err)
		}
		if err := json.Unmarshal(listJSON, rec.Config); err != nil {
			return nil, fmt.Errorf("list containers: decode listing of %s: %w", rec.Config.ID, err)
		}
		var ls listingState
		if err := json.Unmarshal(stJSON, &ls); err != nil {
			return nil, fmt.Errorf("list containers: decode state of %s: %w", rec.Config.ID, err)
		}
		ls.into(rec.State)
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	return out, nil
}
