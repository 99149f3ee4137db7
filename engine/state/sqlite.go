package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"

	// The driver registers itself as "sqlite3"; this is the one place that
	// needs it.
	_ "github.com/mattn/go-sqlite3"
)

// schemaVersion is stored in PRAGMA user_version. Opening a database that
// already has it skips all DDL, so the common case (every CLI call) costs a
// single cheap read.
const schemaVersion = 7

// schema keeps the OCI spec (tens of KiB with its seccomp filter) in a
// table of its own and each table's small, often read columns first, so
// listing reads densely packed pages and never walks overflow chains.
//
// The containers columns between image_id and state are what `ps` shows,
// copied out of config and state as plain values (see sqlite_columns.go),
// so listing thousands of containers decodes no config or state JSON. The
// state and config documents stay the source of truth for everything else.
// (pid_start and conmon_pid_start come last only because version 5 added
// them to existing tables.)
//
// pod_containers ties members to their pod the same way: a pod with
// members cannot be deleted, and a container cannot join a missing pod.
//
// container_dependencies holds each container's config Dependencies. Its
// dependency column references containers without a cascade, so the
// database itself refuses to remove a container others depend on, even
// when a create races the removal's check.
const schema = `
CREATE TABLE IF NOT EXISTS containers (
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
	config        TEXT NOT NULL,
	pid_start        INTEGER NOT NULL DEFAULT 0,
	conmon_pid_start INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS container_specs (
	id   TEXT PRIMARY KEY NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
	spec TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS containers_image_id ON containers(image_id);
CREATE TABLE IF NOT EXISTS container_dependencies (
	id         TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
	dependency TEXT NOT NULL REFERENCES containers(id),
	PRIMARY KEY (id, dependency)
);
CREATE INDEX IF NOT EXISTS container_dependencies_dependency ON container_dependencies(dependency);
CREATE TABLE IF NOT EXISTS exit_codes (
	id   TEXT PRIMARY KEY NOT NULL,
	code INTEGER NOT NULL,
	at   INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS volumes (
	name    TEXT PRIMARY KEY NOT NULL,
	created INTEGER NOT NULL DEFAULT 0,
	config  TEXT NOT NULL,
	state   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS container_volumes (
	ctr    TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
	volume TEXT NOT NULL REFERENCES volumes(name),
	PRIMARY KEY (volume, ctr)
);
CREATE TABLE IF NOT EXISTS pods (
	id      TEXT PRIMARY KEY NOT NULL,
	name    TEXT NOT NULL UNIQUE,
	created INTEGER NOT NULL DEFAULT 0,
	config  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pod_containers (
	ctr TEXT PRIMARY KEY NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
	pod TEXT NOT NULL REFERENCES pods(id)
);
CREATE INDEX IF NOT EXISTS pod_containers_pod ON pod_containers(pod);
CREATE TABLE IF NOT EXISTS runtime (
	key   TEXT PRIMARY KEY NOT NULL,
	value TEXT NOT NULL
);
`

// SQLite is the real Store: one database file shared by every berth process
// on the host. WAL lets readers (ps, inspect) run while a writer commits,
// and the busy timeout plus immediate transactions make concurrent writers
// queue instead of failing with SQLITE_BUSY.
type SQLite struct {
	db *sql.DB
}

var _ Store = (*SQLite)(nil)

// NewSQLite opens (and if needed creates) the database at path.
//
// Connection options:
//   - _journal_mode=WAL: readers never block the writer and vice versa.
//   - _busy_timeout=100000: wait up to 100s for another process's write.
//   - _txlock=immediate: every transaction takes the write lock at BEGIN, so
//     a read-then-write transaction never fails with SQLITE_BUSY_SNAPSHOT
//     (which the busy timeout cannot retry).
//   - _synchronous=NORMAL: in WAL mode this is crash-safe for the
//     application; a power loss may drop the last commits, which the reboot
//     refresh resets anyway.
//   - _foreign_keys=1: for the tables of pods and exec sessions.
//   - _cache_size=-256: a 256 KiB page cache. A CLI process opens the
//     database for one command, so a cache never pays back; the default
//     2 MiB only makes a listing of thousands of rows read each page into
//     fresh memory (page faults: ps -a at 2000 containers 19 -> 17 ms).
//   - _mutex=no: database/sql never lets two goroutines use a connection at
//     once, so SQLite's own per-connection mutex, taken for every column of
//     every row, is pure cost (ps -a at 2000: ~3 %).
func NewSQLite(path string) (*SQLite, error) {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_busy_timeout", "100000")
	q.Set("_txlock", "immediate")
	q.Set("_synchronous", "NORMAL")
	q.Set("_foreign_keys", "1")
	q.Set("_cache_size", "-256")
	q.Set("_mutex", "no")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("open state database %s: %w", path, err)
	}
	s := &SQLite{db: db}
	if err := s.migrate(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open state database %s: %w", path, err)
	}
	return s, nil
}

// withTx runs fn in one (immediate) transaction and commits it, or rolls
// it back when fn or the commit fails.
func (s *SQLite) withTx(fn func(tx *sql.Tx) error) (retErr error) {
	tx, err := s.db.BeginTx(context.Background(), nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() {
		if retErr != nil {
			_ = tx.Rollback()
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// RuntimeValue returns the value stored under key, or "" if there is none.
func (s *SQLite) RuntimeValue(key string) (string, error) {
	var v string
	err := s.db.QueryRow("SELECT value FROM runtime WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read runtime value %q: %w", key, err)
	}
	return v, nil
}

// SetRuntimeValue stores value under key, replacing any previous value.
func (s *SQLite) SetRuntimeValue(key, value string) error {
	_, err := s.db.Exec("INSERT INTO runtime(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, value)
	if err != nil {
		return fmt.Errorf("set runtime value %q: %w", key, err)
	}
	return nil
}

// Close closes the database.
func (s *SQLite) Close() error {
	return s.db.Close()
}
