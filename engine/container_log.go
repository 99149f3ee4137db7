package engine

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/berth-dev/berth/engine/define"
)

// LogOptions selects which log lines to print and how.
type LogOptions struct {
	Follow     bool
	Tail       int // < 0: all lines
	Since      time.Time
	Until      time.Time
	Timestamps bool
	// Details puts docker's extra attributes (--log-opt labels=, env=,
	// labels-regex=, env-regex=) before each line, after the timestamp.
	Details bool
	Stdout  io.Writer
	Stderr  io.Writer

	attrs string // Details' prefix, filled by Logs
}

// LogLine is one parsed line of a k8s-file log.
type LogLine struct {
	Time    time.Time
	Stream  string // stdout or stderr
	Partial bool
	Content []byte
}

// ParseLogLine parses "TIMESTAMP STREAM P|F CONTENT" as conmon writes it.
func ParseLogLine(line []byte) (LogLine, error) {
	var l LogLine
	fields := bytes.SplitN(line, []byte(" "), 4)
	if len(fields) < 3 {
		return l, fmt.Errorf("malformed log line %q", line)
	}
	t, err := time.Parse(time.RFC3339Nano, string(fields[0]))
	if err != nil {
		return l, fmt.Errorf("malformed log timestamp %q", fields[0])
	}
	l.Time = t
	l.Stream = string(fields[1])
	l.Partial = string(fields[2]) == "P"
	if len(fields) == 4 {
		l.Content = fields[3]
	}
	return l, nil
}

// LogsReadable says, as the error Logs would return, whether the
// container's log driver keeps anything to read (the API checks before
// it starts a stream).
func (c *Container) LogsReadable() error {
	switch c.config.LogDriver {
	case "none", "passthrough":
		return fmt.Errorf("container %s has log driver %s: no logs to read: %w", c.config.Name, c.config.LogDriver, define.ErrInvalidArg)
	case "syslog":
		// docker's words: the messages went to the syslog server.
		return fmt.Errorf("configured logging driver does not support reading: %w", define.ErrInvalidArg)
	}
	return nil
}

// Logs writes the container's log to the writers in opts. With Follow it
// keeps reading until the container stops running or ctx ends.
func (c *Container) Logs(ctx context.Context, opts LogOptions) error {
	if opts.Details {
		attrs, err := c.logAttrs()
		if err != nil {
			return err
		}
		opts.attrs = attrs
	}
	if err := c.LogsReadable(); err != nil {
		return err
	}
	if c.config.LogDriver == "journald" {
		return c.journalLogs(ctx, opts)
	}
	f, err := os.Open(c.LogPath())
	if errors.Is(err, os.ErrNotExist) {
		if !opts.Follow {
			return nil
		}
		// Not started yet: wait for the file.
		for errors.Is(err, os.ErrNotExist) {
			if !c.isActive() {
				return nil
			}
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(100 * time.Millisecond):
			}
			f, err = os.Open(c.LogPath())
		}
	}
	if err != nil {
		return err
	}
	defer func() { f.Close() }()
	w := &logWriter{opts: opts}
	if opts.Tail >= 0 {
		// Read what is there now and print its last entries; following
		// continues from the end of the file.
		data, err := io.ReadAll(f)
		if err != nil {
			return err
		}
		if err := w.tail(data, opts.Tail); err != nil {
			return err
		}
	}
	r := bufio.NewReaderSize(f, 64*1024)
	var pending []byte
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 && line[len(line)-1] == '\n' {
			pending = append(pending, line...)
			if werr := w.line(pending[:len(pending)-1]); werr != nil {
				return werr
			}
			pending = pending[:0]
			continue
		}
		pending = append(pending, line...)
		if err != nil && err != io.EOF {
			return err
		}
		if !opts.Follow {
			return nil
		}
		if !c.isActive() {
			// drain what was written before the exit
			rest, _ := io.ReadAll(r)
			pending = append(pending, rest...)
			for _, l := range bytes.SplitAfter(pending, []byte("\n")) {
				if len(l) > 1 && l[len(l)-1] == '\n' {
					_ = w.line(l[:len(l)-1])
				}
			}
			if nf := reopenIfReplaced(f, c.LogPath()); nf != nil {
				// Replaced (max-size) before the exit: the end of the
				// output is in the new file.
				f.Close()
				f = nf
				r.Reset(f)
				pending = pending[:0]
				continue
			}
			return nil
		}
		if nf := reopenIfReplaced(f, c.LogPath()); nf != nil {
			// conmon started the log afresh (max-size): what is left of
			// the old one was read above; go on with the new file.
			f.Close()
			f = nf
			r.Reset(f)
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// reopenIfReplaced opens path when it is no longer the file f has open,
// and returns nil otherwise (or when it cannot).
func reopenIfReplaced(f *os.File, path string) *os.File {
	cur, err1 := f.Stat()
	now, err2 := os.Stat(path)
	if err1 != nil || err2 != nil || os.SameFile(cur, now) {
		return nil
	}
	nf, err := os.Open(path)
	if err != nil {
		return nil
	}
	return nf
}

// isActive reports whether the container may still write to its log:
// it runs, or it is between the two halves of a restart (`restart`, or
// an exit its restart policy will restart). Follow therefore continues
// across restarts, as docker's does, and ends when the container stops
// for good or is removed.
func (c *Container) isActive() bool {
	if c.peekActive() {
		return true
	}
	// Not running by the database: take the lock for the authoritative
	// answer. `restart` holds it from stop to start and the exit command
	// from cleanup to the policy's restart, so this waits them out.
	if err := c.lockSync(); err != nil {
		return false
	}
	defer c.lock.Unlock()
	switch c.state.Status {
	case define.StatusRunning, define.StatusPaused, define.StatusCreated, define.StatusStopping:
		return true
	case define.StatusStopped:
		// Exited, cleanup pending: the exit command decides.
		return c.shouldRestartLocked()
	case define.StatusExited:
		// The exit command is sleeping out the restart back-off.
		return c.restartPending()
	}
	return false
}

// peekActive is isActive from the database alone, without locking.
func (c *Container) peekActive() bool {
	st, err := c.runtime.state.ContainerState(c.config.ID)
	if err != nil {
		return false
	}
	c.state = st
	c.peekExit()
	switch c.state.Status {
	case define.StatusRunning, define.StatusPaused, define.StatusCreated, define.StatusStopping:
		return true
	}
	return false
}

type logWriter struct {
	opts    LogOptions
	partial map[string][]byte
}

// tail skips all but the last n complete (F-terminated) log entries.
func (w *logWriter) tail(data []byte, n int) error {
	lines := bytes.SplitAfter(data, []byte("\n"))
	// count entries from the end: an entry ends at an F line.
	start := len(lines)
	entries := 0
	for i := len(lines) - 1; i >= 0; i-- {
		l := lines[i]
		if len(l) == 0 || l[len(l)-1] != '\n' {
			continue
		}
		if pl, err := ParseLogLine(l[:len(l)-1]); err == nil && !pl.Partial {
			if entries == n {
				break
			}
			entries++
		}
		start = i
	}
	for _, l := range lines[start:] {
		if len(l) > 0 && l[len(l)-1] == '\n' {
			if err := w.line(l[:len(l)-1]); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *logWriter) line(raw []byte) error {
	l, err := ParseLogLine(raw)
	if err != nil {
		return nil // skip garbage rather than fail the whole read
	}
	if !w.opts.Since.IsZero() && l.Time.Before(w.opts.Since) {
		return nil
	}
	if !w.opts.Until.IsZero() && l.Time.After(w.opts.Until) {
		return nil
	}
	out := w.opts.Stdout
	if l.Stream == "stderr" {
		out = w.opts.Stderr
	}
	if out == nil {
		return nil
	}
	if w.partial == nil {
		w.partial = map[string][]byte{}
	}
	if l.Partial {
		if len(w.partial[l.Stream]) == 0 {
			w.partial[l.Stream] = w.lead(l)
		}
		w.partial[l.Stream] = append(w.partial[l.Stream], l.Content...)
		return nil
	}
	buf := w.partial[l.Stream]
	if len(buf) == 0 {
		buf = w.lead(l)
	}
	buf = append(buf, l.Content...)
	buf = append(buf, '\n')
	w.partial[l.Stream] = nil
	_, err = out.Write(buf)
	return err
}

// lead is what goes before a line's content: the timestamp (-t), then
// the --details attributes and a blank, in docker's order.
func (w *logWriter) lead(l LogLine) []byte {
	var b []byte
	if w.opts.Timestamps {
		b = append(b, l.Time.Format(time.RFC3339Nano)+" "...)
	}
	if w.opts.Details {
		b = append(b, w.opts.attrs+" "...)
	}
	return b
}
