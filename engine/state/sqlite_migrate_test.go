package state_test

import (
	"database/sql"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/state"
	"github.com/berth-dev/berth/engine/state/statetest"
)

// oldDB creates a database file and lets setup write to it directly.
func oldDB(t *testing.T, setup func(exec func(q string, args ...any))) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "berth.db")
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	setup(func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	})
	return path
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A database written by schema version 2 (spec in the containers table,
// no listing columns) is rebuilt on open, its listing filled from each
// container's config and state.
func TestMigrateV2(t *testing.T) {
	path := oldDB(t, func(exec func(string, ...any)) {
		exec(`CREATE TABLE containers (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL UNIQUE, image_id TEXT NOT NULL DEFAULT '', config TEXT NOT NULL, spec TEXT, state TEXT NOT NULL)`)
		exec(`INSERT INTO containers VALUES ('abc', 'old', 'img', '{"id":"abc","name":"old","imageID":"img","imageName":"localhost/busybox:latest","command":["sh"],"created":"2024-01-02T03:04:05Z"}', NULL, '{"status":7,"exitCode":3}')`)
		exec(`INSERT INTO containers VALUES ('def', 'spec', 'img', '{"id":"def","name":"spec","imageID":"img"}', '{"hostname":"h"}', '{}')`)
		exec(`PRAGMA user_version = 2`)
	})
	s, err := state.NewSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if spec, err := s.ContainerSpec("abc"); err != nil || spec != nil {
		t.Fatalf("ContainerSpec after migration = %v, %v; want nil spec", spec, err)
	}
	if spec, err := s.ContainerSpec("def"); err != nil || spec == nil || spec.Hostname != "h" {
		t.Fatalf("ContainerSpec after migration = %+v, %v; want hostname h", spec, err)
	}
	recs, err := s.ContainerSummaries()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].Config.ImageName != "localhost/busybox:latest" || len(recs[0].Config.Command) != 1 ||
		recs[0].State.Status != define.StatusExited || recs[0].State.ExitCode != 3 || recs[0].Config.CreatedTime.Year() != 2024 {
		t.Fatalf("summaries after migration = %+v %+v", recs[0].Config, recs[0].State)
	}
	checkSummaries(t, s, "abc", "def")
}

// schemaV3 is the DDL of schema version 3, as it shipped.
const schemaV3 = `
CREATE TABLE containers (
	id       TEXT PRIMARY KEY NOT NULL,
	name     TEXT NOT NULL UNIQUE,
	image_id TEXT NOT NULL DEFAULT '',
	listing  TEXT,
	state    TEXT NOT NULL,
	config   TEXT NOT NULL
);
CREATE TABLE container_specs (
	id   TEXT PRIMARY KEY NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
	spec TEXT NOT NULL
);
CREATE INDEX containers_image_id ON containers(image_id);
CREATE TABLE exit_codes (id TEXT PRIMARY KEY NOT NULL, code INTEGER NOT NULL, at INTEGER NOT NULL);
CREATE TABLE runtime (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
`

// A version 3 database keeps every container, spec, exit code and runtime
// value through the rebuild, and lists exactly as its documents say.
func TestMigrateV3(t *testing.T) {
	type ctr struct {
		cfg  *define.ContainerConfig
		st   *define.ContainerState
		spec bool
	}
	running := statetest.NewState(define.StatusRunning)
	running.NetNS, running.ConmonPID, running.RestartCount = "/run/netns/x", 41, 1
	running.Networks = map[string]define.PerNetworkOptions{"berth": {InterfaceName: "eth0"}}
	running.Ports = []define.PortMapping{{HostPort: 8080, ContainerPort: 80, Protocol: "tcp"}}
	rootfs := &define.ContainerConfig{ID: statetest.NewID(t), Name: "rootfs", Rootfs: "/srv", Pod: "p", AutoRemove: true,
		CreatedTime: time.Now()}
	ctrs := []ctr{
		{statetest.NewConfig(statetest.NewID(t), "web"), running, true},
		{&define.ContainerConfig{ID: statetest.NewID(t), Name: "bare"}, &define.ContainerState{}, false},
		{rootfs, &define.ContainerState{Status: define.StatusExited, ExitCode: 2, FinishedTime: time.Now()}, true},
	}
	var ids []string
	path := oldDB(t, func(exec func(string, ...any)) {
		exec(schemaV3)
		for _, c := range ctrs {
			// v3 kept the listing as a subset of the config's JSON, which
			// the config's own JSON stands in for.
			cfgJSON := mustJSON(t, c.cfg)
			exec("INSERT INTO containers VALUES (?, ?, ?, ?, ?, ?)", c.cfg.ID, c.cfg.Name, c.cfg.ImageID, cfgJSON, mustJSON(t, c.st), cfgJSON)
			if c.spec {
				exec("INSERT INTO container_specs VALUES (?, ?)", c.cfg.ID, mustJSON(t, statetest.NewSpec()))
			}
			ids = append(ids, c.cfg.ID)
		}
		exec("INSERT INTO exit_codes VALUES ('gone', 9, strftime('%s', 'now'))")
		exec("INSERT INTO runtime VALUES ('graphroot', '/var/lib/berth')")
		exec("PRAGMA user_version = 3")
	})

	s, err := state.NewSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checkSummaries(t, s, ids...)
	for _, c := range ctrs {
		rec, err := s.Container(c.cfg.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := mustJSON(t, rec), mustJSON(t, &define.ContainerRecord{Config: c.cfg, State: c.st}); got != want {
			t.Errorf("Container(%s) after migration:\n got %s\nwant %s", c.cfg.Name, got, want)
		}
		spec, err := s.ContainerSpec(c.cfg.ID)
		if err != nil || (spec != nil) != c.spec {
			t.Errorf("ContainerSpec(%s) = %v, %v; want a spec: %v", c.cfg.Name, spec, err, c.spec)
		}
	}
	if code, err := s.RemovedExitCode("gone"); err != nil || code != 9 {
		t.Errorf("RemovedExitCode(gone) = %d, %v; want 9", code, err)
	}
	if v, err := s.RuntimeValue("graphroot"); err != nil || v != "/var/lib/berth" {
		t.Errorf("RuntimeValue(graphroot) = %q, %v", v, err)
	}
	if got, err := s.ContainersUsingImage("img-web"); err != nil || len(got) != 1 {
		t.Errorf("ContainersUsingImage(img-web) = %v, %v", got, err)
	}

	// The specs table references the new containers table, so removing a
	// container still removes its spec.
	if err := s.RemoveContainer(ids[0]); err != nil {
		t.Fatal(err)
	}
	if code, err := s.RemovedExitCode(ids[0]); err != nil || code != running.ExitCode {
		t.Errorf("RemovedExitCode() = %d, %v; want %d", code, err, running.ExitCode)
	}
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var specs, version int
	var ddl string
	if err := raw.QueryRow("SELECT count(*) FROM container_specs").Scan(&specs); err != nil || specs != 1 {
		t.Errorf("specs left after removal = %d, %v; want 1", specs, err)
	}
	if err := raw.QueryRow("SELECT sql FROM sqlite_master WHERE name = 'container_specs'").Scan(&ddl); err != nil ||
		!strings.Contains(ddl, "REFERENCES containers(id)") {
		t.Errorf("container_specs DDL = %q, %v; want it to reference containers", ddl, err)
	}
	if err := raw.QueryRow("PRAGMA user_version").Scan(&version); err != nil || version != 7 {
		t.Errorf("user_version = %d, %v; want 7", version, err)
	}
	// Version 6 added the volume tables; a migrated database takes
	// volumes and containers that use them.
	if err := s.AddVolume(&define.VolumeConfig{Name: "v", Driver: "local"}, nil); err != nil {
		t.Errorf("AddVolume() after migration = %v", err)
	}

	var leftovers int
	if err := raw.QueryRow("SELECT count(*) FROM sqlite_master WHERE name LIKE '%_old'").Scan(&leftovers); err != nil || leftovers != 0 {
		t.Errorf("tables left from the migration = %d, %v", leftovers, err)
	}
}

// schemaV4 is the DDL of schema version 4, as it shipped.
const schemaV4 = `
CREATE TABLE containers (
	id            TEXT PRIMARY KEY NOT NULL,
	name          TEXT NOT NULL UNIQUE,
	image_id      TEXT NOT NULL DEFAULT '',
	image_name    TEXT NOT NULL DEFAULT '',
	created       INTEGER NOT NULL DEFAULT 0,
	command       TEXT,
	oci_runtime   TEXT NOT NULL DEFAULT '',
	auto_remove   INTEGER NOT NULL DEFAULT 0,
	networks      TEXT,
	extra         TEXT,
	status        INTEGER NOT NULL DEFAULT 0,
	pid           INTEGER NOT NULL DEFAULT 0,
	conmon_pid    INTEGER NOT NULL DEFAULT 0,
	exit_code     INTEGER NOT NULL DEFAULT 0,
	started       INTEGER NOT NULL DEFAULT 0,
	finished      INTEGER NOT NULL DEFAULT 0,
	restart_count INTEGER NOT NULL DEFAULT 0,
	net_ns        TEXT NOT NULL DEFAULT '',
	net_names     TEXT,
	ports         TEXT,
	state         TEXT NOT NULL,
	config        TEXT NOT NULL
);
CREATE TABLE container_specs (
	id   TEXT PRIMARY KEY NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
	spec TEXT NOT NULL
);
CREATE INDEX containers_image_id ON containers(image_id);
CREATE TABLE exit_codes (id TEXT PRIMARY KEY NOT NULL, code INTEGER NOT NULL, at INTEGER NOT NULL);
CREATE TABLE runtime (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
`

// A version 4 database gains the PID start columns (0: unknown) and the
// dependencies of containers that join another's namespaces.
func TestMigrateV4(t *testing.T) {
	x, y := statetest.NewID(t), statetest.NewID(t)
	joiner := &define.ContainerConfig{ID: y, Name: "y", NetMode: "container:" + x, Namespaces: map[string]string{"net": x}}
	path := oldDB(t, func(exec func(string, ...any)) {
		exec(schemaV4)
		exec("INSERT INTO containers(id, name, status, pid, conmon_pid, state, config) VALUES (?, 'x', 3, 42, 41, ?, ?)",
			x, `{"status":3,"pid":42,"conmonPid":41}`, mustJSON(t, &define.ContainerConfig{ID: x, Name: "x"}))
		exec("INSERT INTO containers(id, name, state, config) VALUES (?, 'y', '{}', ?)", y, mustJSON(t, joiner))
		exec("PRAGMA user_version = 4")
	})
	s, err := state.NewSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if deps, err := s.ContainerDependents(x); err != nil || len(deps) != 1 || deps[0] != y {
		t.Errorf("ContainerDependents(x) = %v, %v; want [%s]", deps, err, y)
	}
	if rec, err := s.Container(y); err != nil || len(rec.Config.Dependencies) != 1 || rec.Config.Dependencies[0] != x {
		t.Errorf("Container(y) after migration = %+v, %v; want Dependencies [%s]", rec, err, x)
	}
	if err := s.RemoveContainer(x); !errors.Is(err, define.ErrCtrExists) {
		t.Errorf("RemoveContainer(x) with a dependent = %v, want ErrCtrExists", err)
	}
	st, err := s.ContainerState(x)
	if err != nil || st.PID != 42 || st.PIDStart != 0 {
		t.Fatalf("ContainerState(x) = %+v, %v", st, err)
	}
	st.PIDStart, st.ConmonPIDStart = 7, 6
	if err := s.SaveContainerState(x, st); err != nil {
		t.Fatal(err)
	}
	checkSummaries(t, s, x, y)
}
