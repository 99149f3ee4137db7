package state

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/berth-dev/berth/engine/define"
)

// summary holds one listed container in a single allocation.
type summary struct {
	rec define.ContainerRecord
	cfg define.ContainerConfig
	st  define.ContainerState
}

// ContainerSummaries returns every container with only the listing fields
// of its config and state filled in. It reads the plain columns next to
// the documents, never the documents, and decodes JSON only for the small
// list and map columns that are not NULL.
func (s *SQLite) ContainerSummaries() ([]*define.ContainerRecord, error) {
	rows, err := s.db.Query(`SELECT id, name, image_id,
		image_name, created, command, oci_runtime, auto_remove, extra,
		status, pid, conmon_pid, exit_code, started, finished, restart_count, net
		FROM containers ORDER BY rowid`)
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	defer rows.Close()
	// Scan destinations live outside the loop: Scan makes them escape, so
	// per-row variables would each cost an allocation. The integers are
	// int64 because database/sql converts other integer types through a
	// formatted string.
	var (
		created, status, pid, conmonPID, exitCode, started, finished, restarts int64
		command, extraJSON, netJSON                                            sql.RawBytes
		args                                                                   []string
		extra                                                                  listingExtra
		net                                                                    netState
	)
	dec := newColumnDecoder()
	var out []*define.ContainerRecord
	for rows.Next() {
		sum := &summary{}
		c, st := &sum.cfg, &sum.st
		sum.rec = define.ContainerRecord{Config: c, State: st}
		if err := rows.Scan(&c.ID, &c.Name, &c.ImageID,
			&c.ImageName, &created, &command, &c.OCIRuntime, &c.AutoRemove, &extraJSON,
			&status, &pid, &conmonPID, &exitCode, &started, &finished, &restarts, &netJSON); err != nil {
			return nil, fmt.Errorf("list containers: %w", err)
		}
		c.CreatedTime = fromUnixNano(created)
		st.Status, st.PID, st.ConmonPID = define.ContainerStatus(status), int(pid), int(conmonPID)
		st.ExitCode, st.RestartCount = int32(exitCode), int(restarts)
		st.StartedTime, st.FinishedTime = fromUnixNano(started), fromUnixNano(finished)
		if command != nil {
			// Decoding into a reused slice and cloning it costs one
			// allocation instead of one per doubling of the slice.
			args = args[:0]
			if err := dec.decode(command, &args); err != nil {
				return nil, fmt.Errorf("list containers: decode command of %s: %w", c.ID, err)
			}
			c.Command = slices.Clone(args)
		}
		// extra and net are reset before each decode: decoding would merge
		// into maps and reuse slices left from the previous row.
		if extraJSON != nil {
			extra = listingExtra{}
			if err := dec.decode(extraJSON, &extra); err != nil {
				return nil, fmt.Errorf("list containers: decode listing fields of %s: %w", c.ID, err)
			}
			extra.into(c)
		}
		if netJSON != nil {
			net = netState{}
			if err := dec.decode(netJSON, &net); err != nil {
				return nil, fmt.Errorf("list containers: decode network state of %s: %w", c.ID, err)
			}
			net.into(st)
		}
		out = append(out, &sum.rec)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	return out, nil
}

// columnDecoder decodes the JSON columns of many rows with one
// json.Decoder. json.Unmarshal allocates its decoder state and scanner
// stack anew on every call; with three small documents per row that was
// 14 of 49 allocations per row in BenchmarkContainerSummaries. A Decoder
// keeps them from one value to the next.
type columnDecoder struct {
	r   bytes.Reader
	dec *json.Decoder
}

func newColumnDecoder() *columnDecoder {
	d := &columnDecoder{}
	d.dec = json.NewDecoder(&d.r)
	return d
}

// decode decodes b, which must hold exactly one JSON value, into v. The
// stream offset proves the value ended where b does; data after it would
// otherwise be taken as the start of the next row's value.
func (d *columnDecoder) decode(b []byte, v any) error {
	start := d.dec.InputOffset()
	d.r.Reset(b)
	if err := d.dec.Decode(v); err != nil {
		return err
	}
	if n := d.dec.InputOffset() - start; n != int64(len(b)) {
		return fmt.Errorf("%d bytes after the value", int64(len(b))-n)
	}
	return nil
}
