package state

import (
	"database/sql"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine/define"
)

// configCols are the containers columns copied out of a config for
// listing. The rarely set list and map fields share one nullable JSON
// column (extra), so a usual container costs no JSON decoding beyond its
// command.
type configCols struct {
	imageName  string
	created    int64
	command    any // JSON array, or nil (NULL) when empty
	ociRuntime string
	autoRemove bool
	networks   any // names joined by commas, or nil when none
	extra      any // JSON of listingExtra, or nil when all its fields are empty
}

// listingExtra is the format of the extra column.
type listingExtra struct {
	Rootfs      string               `json:"rootfs,omitempty"`
	Pod         string               `json:"pod,omitempty"`
	Labels      map[string]string    `json:"labels,omitempty"`
	UserVolumes []string             `json:"userVolumes,omitempty"`
	Ports       []define.PortMapping `json:"ports,omitempty"`
	Volumes     []define.VolumeMount `json:"volumes,omitempty"`
	// Health tells ps the container has a healthcheck and where its
	// results are.
	Health *define.HealthSettings `json:"health,omitempty"`
	// Exposed and Restart serve ps's expose and restart-policy filters.
	Exposed map[string]struct{} `json:"exposed,omitempty"`
	Restart string              `json:"restart,omitempty"`
	// IsInfra is ps's IsInfra, which prune skips (the pod's to remove).
	IsInfra bool `json:"isInfra,omitempty"`
}

func (e *listingExtra) into(c *define.ContainerConfig) {
	c.Rootfs, c.Pod, c.Labels = e.Rootfs, e.Pod, e.Labels
	c.UserVolumes, c.Ports, c.Volumes = e.UserVolumes, e.Ports, e.Volumes
	c.Health = e.Health
	c.Exposed, c.Restart, c.IsInfra = e.Exposed, e.Restart, e.IsInfra
}

func configColumns(c *define.ContainerConfig) (configCols, error) {
	cols := configCols{imageName: c.ImageName, created: unixNano(c.CreatedTime), ociRuntime: c.OCIRuntime,
		autoRemove: c.AutoRemove, networks: joinNames(c.Networks)}
	var err error
	if len(c.Command) > 0 {
		if cols.command, err = jsonText("command", c.Command); err != nil {
			return cols, err
		}
	}
	if c.Rootfs != "" || c.Pod != "" || len(c.Labels) > 0 || len(c.UserVolumes) > 0 || len(c.Ports) > 0 || len(c.Volumes) > 0 || c.Health != nil ||
		len(c.Exposed) > 0 || c.Restart != "" || c.IsInfra {
		e := listingExtra{Rootfs: c.Rootfs, Pod: c.Pod, Labels: c.Labels, UserVolumes: c.UserVolumes, Ports: c.Ports, Volumes: c.Volumes, Health: c.Health,
			Exposed: c.Exposed, Restart: c.Restart, IsInfra: c.IsInfra}
		if cols.extra, err = jsonText("listing fields", e); err != nil {
			return cols, err
		}
	}
	return cols, nil
}

// joinNames stores network names (which never contain commas) as one
// plain column; nil (NULL) for none.
func joinNames(names []string) any {
	if len(names) == 0 {
		return nil
	}
	return strings.Join(names, ",")
}

// stateCols are the containers columns copied out of a state for listing;
// SaveContainerState rewrites them together with the state document. Of
// the attached networks listing needs only the names.
type stateCols struct {
	status, pid, conmonPID, exitCode int64
	pidStart, conmonPIDStart         int64
	started, finished, restartCount  int64
	netNS                            string
	netNames                         any // attached network names joined by commas, or nil
	ports                            any // JSON of the published ports, or nil when none
}

func stateColumns(st *define.ContainerState) (stateCols, error) {
	cols := stateCols{status: int64(st.Status), pid: int64(st.PID), conmonPID: int64(st.ConmonPID),
		exitCode: int64(st.ExitCode), started: unixNano(st.StartedTime), finished: unixNano(st.FinishedTime),
		restartCount: int64(st.RestartCount), netNS: st.NetNS,
		pidStart: int64(st.PIDStart), conmonPIDStart: int64(st.ConmonPIDStart)}
	if len(st.Networks) > 0 {
		names := make([]string, 0, len(st.Networks))
		for n := range st.Networks {
			names = append(names, n)
		}
		sort.Strings(names)
		cols.netNames = joinNames(names)
	}
	if len(st.Ports) > 0 {
		var err error
		if cols.ports, err = jsonText("published ports", st.Ports); err != nil {
			return cols, err
		}
	}
	return cols, nil
}

// stateColsSet is the SET list matching stateCols.args.
const stateColsSet = "status = ?, pid = ?, conmon_pid = ?, exit_code = ?, started = ?, finished = ?, restart_count = ?, net_ns = ?, net_names = ?, ports = ?, pid_start = ?, conmon_pid_start = ?"

func (c *stateCols) args() []any {
	return []any{c.status, c.pid, c.conmonPID, c.exitCode, c.started, c.finished, c.restartCount, c.netNS, c.netNames, c.ports, c.pidStart, c.conmonPIDStart}
}

// unixNano stores a time as nanoseconds since the epoch, the zero time as
// 0. This covers the years 1678 to 2262; the location is not kept, times
// come back in the local zone, as time.Now() made them.
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromUnixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// jsonText encodes v for a nullable TEXT column (a string, so SQLite
// stores text, not a blob).
func jsonText(what string, v any) (any, error) {
	b, err := encodeJSON(what, v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// ctrRow is one containers row: the documents plus the columns derived
// from them.
type ctrRow struct {
	id, name, imageID     string
	cfg                   configCols
	st                    stateCols
	stateJSON, configJSON string
	deps                  []string // config's Dependencies
}

func newCtrRow(cfg *define.ContainerConfig, st *define.ContainerState, cfgJSON, stJSON []byte) (*ctrRow, error) {
	r := &ctrRow{id: cfg.ID, name: cfg.Name, imageID: cfg.ImageID, stateJSON: string(stJSON), configJSON: string(cfgJSON), deps: cfg.Dependencies}
	var err error
	if r.cfg, err = configColumns(cfg); err != nil {
		return nil, err
	}
	if r.st, err = stateColumns(st); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *ctrRow) insert(tx *sql.Tx) error {
	_, err := tx.Exec(`INSERT INTO containers(id, name, image_id,
		image_name, created, command, oci_runtime, auto_remove, networks, extra,
		status, pid, conmon_pid, exit_code, started, finished, restart_count, net_ns, net_names, ports,
		state, config, pid_start, conmon_pid_start) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.id, r.name, r.imageID,
		r.cfg.imageName, r.cfg.created, r.cfg.command, r.cfg.ociRuntime, r.cfg.autoRemove, r.cfg.networks, r.cfg.extra,
		r.st.status, r.st.pid, r.st.conmonPID, r.st.exitCode, r.st.started, r.st.finished, r.st.restartCount,
		r.st.netNS, r.st.netNames, r.st.ports,
		r.stateJSON, r.configJSON, r.st.pidStart, r.st.conmonPIDStart)
	if err != nil {
		return err
	}
	return insertDependencies(tx, r.id, r.deps)
}

// insertDependencies records that id depends on deps. The foreign key
// makes a missing dependency fail the insert.
func insertDependencies(tx *sql.Tx, id string, deps []string) error {
	for _, dep := range deps {
		var ok int
		if err := tx.QueryRow("SELECT 1 FROM containers WHERE id = ?", dep).Scan(&ok); errors.Is(err, sql.ErrNoRows) {
			return errNoDependency(id, dep)
		}
		if _, err := tx.Exec("INSERT OR IGNORE INTO container_dependencies(id, dependency) VALUES(?, ?)", id, dep); err != nil {
			return err
		}
	}
	return nil
}
