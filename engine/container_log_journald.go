package engine

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strconv"
	"time"

	"github.com/berth-dev/berth/engine/define"
)

// journalEntry is the part of `journalctl -o json` that conmon's journald
// driver fills: the message, PRIORITY 3 for stderr and 6 for stdout, and
// CONTAINER_PARTIAL_MESSAGE on a line split by conmon's buffer.
type journalEntry struct {
	Message  string `json:"MESSAGE"`
	Priority string `json:"PRIORITY"`
	Realtime string `json:"__REALTIME_TIMESTAMP"`
	Partial  string `json:"CONTAINER_PARTIAL_MESSAGE"`
}

// logLine is the entry as the k8s-file line logWriter reads.
func (e journalEntry) logLine() []byte {
	usec, _ := strconv.ParseInt(e.Realtime, 10, 64)
	stream, tag := "stdout", "F"
	if e.Priority == "3" {
		stream = "stderr"
	}
	if e.Partial == "true" {
		tag = "P"
	}
	return []byte(time.UnixMicro(usec).UTC().Format(time.RFC3339Nano) + " " + stream + " " + tag + " " + e.Message)
}

// journalLogs reads the log of a journald-driver container from the
// journal, by its CONTAINER_ID_FULL field (as podman does, through
// journalctl instead of libsystemd). Follow ends when the container stops
// for good, like the k8s-file reader.
func (c *Container) journalLogs(ctx context.Context, opts LogOptions) error {
	if err := journalAvailable(); err != nil {
		return err
	}
	jctl, err := exec.LookPath("journalctl")
	if err != nil {
		return fmt.Errorf("container %s logs to the journal, but journalctl is not installed: %w", c.config.Name, define.ErrInvalidArg)
	}
	args := []string{"--no-pager", "-o", "json", "CONTAINER_ID_FULL=" + c.config.ID}
	if opts.Tail >= 0 {
		args = append(args, "-n", strconv.Itoa(opts.Tail))
	}
	if opts.Follow {
		args = append(args, "-f")
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(cctx, jctl, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("journalctl: %w", err)
	}
	if opts.Follow {
		go func() {
			for c.isActive() {
				select {
				case <-cctx.Done():
					return
				case <-time.After(250 * time.Millisecond):
				}
			}
			// Let journald take in the last lines, then stop following.
			time.Sleep(500 * time.Millisecond)
			cancel()
		}()
	}
	w := &logWriter{opts: opts}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	for sc.Scan() {
		var e journalEntry
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue
		}
		if err := w.line(e.logLine()); err != nil {
			return err
		}
	}
	werr := cmd.Wait()
	if cctx.Err() != nil {
		return nil
	}
	if werr != nil {
		return fmt.Errorf("journalctl: %w", werr)
	}
	return nil
}
