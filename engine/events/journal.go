package events

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"

	"github.com/berth-dev/berth/engine/define"
)

// Backend is where events go and come back from: the file Logger, or the
// systemd journal (--events-backend journald).
type Backend interface {
	Write(ev define.Event) error
	Read(ctx context.Context, opts ReadOptions, fn func(define.Event) error) error
}

// JournalSocket is systemd-journald's native socket.
const JournalSocket = "/run/systemd/journal/socket"

// journalIdent tags berth's events among the journal's entries.
const journalIdent = "berth-events"

// Journal writes events to the systemd journal, one entry each carrying
// the whole event as JSON in BERTH_EVENT (and podman-like readable
// fields), and reads them back through journalctl.
type Journal struct {
	// Socket is journald's native socket (JournalSocket unless a test
	// points elsewhere).
	Socket string
}

// NewJournal returns the journal backend, or an error naming what is
// missing when journald does not run here.
func NewJournal() (*Journal, error) {
	if _, err := os.Stat(JournalSocket); err != nil {
		return nil, fmt.Errorf("events backend journald: the systemd journal is not running here (no %s): %w", JournalSocket, define.ErrInvalidArg)
	}
	return &Journal{Socket: JournalSocket}, nil
}

// Write sends ev as one journal entry over the native protocol.
func (j *Journal) Write(ev define.Event) error {
	data, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	var msg bytes.Buffer
	field := func(k, v string) {
		if !strings.Contains(v, "\n") {
			msg.WriteString(k + "=" + v + "\n")
			return
		}
		// A value with newlines: name, newline, little-endian length, value.
		msg.WriteString(k + "\n")
		_ = binary.Write(&msg, binary.LittleEndian, uint64(len(v)))
		msg.WriteString(v + "\n")
	}
	field("MESSAGE", fmt.Sprintf("%s %s %s %s", ev.Type, ev.Status, ev.ID, ev.Name))
	field("SYSLOG_IDENTIFIER", journalIdent)
	field("PRIORITY", "6")
	field("BERTH_EVENT_TYPE", ev.Type)
	field("BERTH_EVENT_STATUS", ev.Status)
	field("BERTH_EVENT_ID", ev.ID)
	field("BERTH_EVENT", string(data))
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: j.Socket, Net: "unixgram"})
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.Write(msg.Bytes())
	return err
}

// Read reads the events back through `journalctl -o json`, applying the
// same bounds and filters as the file backend.
func (j *Journal) Read(ctx context.Context, opts ReadOptions, fn func(define.Event) error) error {
	if err := checkFilters(opts.Filters); err != nil {
		return err
	}
	args := []string{"--no-pager", "-o", "json", "SYSLOG_IDENTIFIER=" + journalIdent}
	if !opts.Since.IsZero() {
		args = append(args, "--since", "@"+fmt.Sprint(opts.Since.Unix()))
	}
	if opts.Follow {
		args = append(args, "-f")
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(cctx, "journalctl", args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("journalctl: %w", err)
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64*1024), 4<<20)
	var ferr error
	for sc.Scan() {
		var entry struct {
			Event string `json:"BERTH_EVENT"`
		}
		var ev define.Event
		if json.Unmarshal(sc.Bytes(), &entry) != nil || json.Unmarshal([]byte(entry.Event), &ev) != nil {
			continue
		}
		if !opts.Until.IsZero() && ev.Time.After(opts.Until) {
			break
		}
		if (!opts.Since.IsZero() && ev.Time.Before(opts.Since)) || !matches(&ev, opts.Filters) {
			continue
		}
		if ferr = fn(ev); ferr != nil {
			break
		}
	}
	cancel()
	werr := cmd.Wait()
	switch {
	case ferr != nil:
		return ferr
	case ctx.Err() != nil, cctx.Err() != nil && werr != nil:
		return nil
	}
	return werr
}
