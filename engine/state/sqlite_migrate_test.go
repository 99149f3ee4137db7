package state

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/berth-dev/berth/engine/define"
)

// A database written by schema version 2 (no listing column) gains the
// column on open, filled from each container's config.
func TestMigrateV2AddsListing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "berth.db")
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TABLE containers (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL UNIQUE, image_id TEXT NOT NULL DEFAULT '', config TEXT NOT NULL, spec TEXT, state TEXT NOT NULL)`,
		`INSERT INTO containers VALUES ('abc', 'old', 'img', '{"id":"abc","name":"old","imageName":"localhost/busybox:latest","command":["sh"],"created":"2024-01-02T03:04:05Z"}', NULL, '{"status":7,"exitCode":3}')`,
		`PRAGMA user_version = 2`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	s, err := NewSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if spec, err := s.ContainerSpec("abc"); err != nil || spec != nil {
		t.Fatalf("ContainerSpec after migration = %v, %v; want nil spec", spec, err)
	}
	recs, err := s.ContainerSummaries()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Config.ImageName != "localhost/busybox:latest" || len(recs[0].Config.Command) != 1 ||
		recs[0].State.Status != define.StatusExited || recs[0].State.ExitCode != 3 || recs[0].Config.CreatedTime.Year() != 2024 {
		t.Fatalf("summaries after migration = %+v %+v", recs[0].Config, recs[0].State)
	}
}
