package events

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/define"
)

// parseNative decodes the journal's native protocol, both field forms.
func parseNative(t *testing.T, b []byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		line := string(b[:i])
		b = b[i+1:]
		if k, v, ok := strings.Cut(line, "="); ok {
			out[k] = v
			continue
		}
		n := binary.LittleEndian.Uint64(b[:8])
		out[line] = string(b[8 : 8+n])
		b = b[8+n+1:]
	}
	return out
}

// A journal is faked by a datagram socket: this host runs no journald.
func TestJournalWrite(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "socket")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	j := &Journal{Socket: sock}
	code := 3
	ev := define.Event{Time: time.Unix(1700000000, 5).UTC(), Type: "container", Status: "died", ID: "abc", Name: "web",
		ExitCode: &code, Attributes: map[string]string{"note": "two\nlines"}}
	if err := j.Write(ev); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1<<16)
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	f := parseNative(t, buf[:n])
	if f["SYSLOG_IDENTIFIER"] != journalIdent || f["BERTH_EVENT_STATUS"] != "died" || f["MESSAGE"] != "container died abc web" {
		t.Errorf("fields = %q", f)
	}
	var back define.Event
	if err := json.Unmarshal([]byte(f["BERTH_EVENT"]), &back); err != nil || !back.Time.Equal(ev.Time) || *back.ExitCode != 3 || back.Attributes["note"] != "two\nlines" {
		t.Errorf("BERTH_EVENT = %q (%v)", f["BERTH_EVENT"], err)
	}
}
