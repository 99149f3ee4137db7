package state

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

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
		image_name, created, command, oci_runtime, auto_remove, networks, extra,
		status, pid, conmon_pid, exit_code, started, finished, restart_count, net_ns, net_names, ports,
		pid_start, conmon_pid_start
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
		pidStart, conmonPIDStart                                               int64
		command, networks, extraJSON, netNames, portsJSON                      sql.RawBytes
		args                                                                   []string
		extra                                                                  listingExtra
	)
	dec := newColumnDecoder()
	var out []*define.ContainerRecord
	for rows.Next() {
		sum := &summary{}
		c, st := &sum.cfg, &sum.st
		sum.rec = define.ContainerRecord{Config: c, State: st}
		if err := rows.Scan(&c.ID, &c.Name, &c.ImageID,
			&c.ImageName, &created, &command, &c.OCIRuntime, &c.AutoRemove, &networks, &extraJSON,
			&status, &pid, &conmonPID, &exitCode, &started, &finished, &restarts, &st.NetNS, &netNames, &portsJSON,
			&pidStart, &conmonPIDStart); err != nil {
			return nil, fmt.Errorf("list containers: %w", err)
		}
		c.CreatedTime = fromUnixNano(created)
		st.Status, st.PID, st.ConmonPID = define.ContainerStatus(status), int(pid), int(conmonPID)
		st.PIDStart, st.ConmonPIDStart = uint64(pidStart), uint64(conmonPIDStart)
		st.ExitCode, st.RestartCount = int32(exitCode), int(restarts)
		st.StartedTime, st.FinishedTime = fromUnixNano(started), fromUnixNano(finished)
		if command != nil {
			if c.Command, err = decodeStrings(dec, command, &args); err != nil {
				return nil, fmt.Errorf("list containers: decode command of %s: %w", c.ID, err)
			}
		}
		if networks != nil {
			c.Networks = strings.Split(string(networks), ",")
		}
		if netNames != nil {
			names := strings.Split(string(netNames), ",")
			st.Networks = make(map[string]define.PerNetworkOptions, len(names))
			for _, n := range names {
				st.Networks[n] = define.PerNetworkOptions{}
			}
		}
		// extra is reset before each decode: decoding would merge into
		// maps and reuse slices left from the previous row.
		if extraJSON != nil {
			extra = listingExtra{}
			if err := dec.decode(extraJSON, &extra); err != nil {
				return nil, fmt.Errorf("list containers: decode listing fields of %s: %w", c.ID, err)
			}
			extra.into(c)
		}
		if portsJSON != nil {
			if err := dec.decode(portsJSON, &st.Ports); err != nil {
				return nil, fmt.Errorf("list containers: decode published ports of %s: %w", c.ID, err)
			}
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

// decodeStrings decodes a JSON array of strings. The usual command line
// (no escapes) is split directly, which costs a fraction of the JSON
// decoder; anything else goes through dec. buf is reused across rows.
func decodeStrings(dec *columnDecoder, b []byte, buf *[]string) ([]string, error) {
	if len(b) >= 2 && b[0] == '[' && b[len(b)-1] == ']' && bytes.IndexByte(b, '\\') < 0 {
		if out, ok := splitPlainStrings(b[1 : len(b)-1]); ok {
			return out, nil
		}
	}
	*buf = (*buf)[:0]
	if err := dec.decode(b, buf); err != nil {
		return nil, err
	}
	return slices.Clone(*buf), nil
}

// splitPlainStrings splits `"a","b"` (encoding/json's output: no spaces,
// no escapes) into its strings; ok is false for anything else.
func splitPlainStrings(b []byte) (out []string, ok bool) {
	n := bytes.Count(b, []byte(`","`)) + 1
	out = make([]string, 0, n)
	for len(b) > 0 {
		if b[0] != '"' {
			return nil, false
		}
		end := bytes.IndexByte(b[1:], '"')
		if end < 0 {
			return nil, false
		}
		out = append(out, string(b[1:1+end]))
		b = b[2+end:]
		if len(b) > 0 {
			if b[0] != ',' {
				return nil, false
			}
			b = b[1:]
			if len(b) == 0 {
				return nil, false
			}
		}
	}
	return out, len(out) > 0
}
