package events

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"golang.org/x/sys/unix"
)

// pollInterval is how often Read looks for new events when following.
const pollInterval = 100 * time.Millisecond

// ReadOptions selects the events Read delivers.
type ReadOptions struct {
	// Since and Until bound event times (inclusive); zero means unbounded.
	Since, Until time.Time
	// Follow keeps reading new events until ctx is done (or Until passes).
	Follow bool
	// Filters maps a filter key (see ParseFilters) to accepted values.
	Filters map[string][]string
}

// Read calls fn for each matching event in the log, oldest first. Without
// Follow it returns at the end of the file (a missing file has no events).
// With Follow it waits for new events, also across rotations, and returns
// nil once ctx is done or Until has passed. An error from fn stops the
// read and is returned as is.
func (l *Logger) Read(ctx context.Context, opts ReadOptions, fn func(define.Event) error) error {
	if err := checkFilters(opts.Filters); err != nil {
		return err
	}
	t := &tail{path: l.path}
	defer t.close()
	emit := func(line []byte) error {
		var ev define.Event
		if err := json.Unmarshal(line, &ev); err != nil {
			return nil // a damaged line must not hide the rest of the log
		}
		t.lastTime = ev.Time
		if (!opts.Since.IsZero() && ev.Time.Before(opts.Since)) ||
			(!opts.Until.IsZero() && ev.Time.After(opts.Until)) ||
			!matches(&ev, opts.Filters) {
			return nil
		}
		return fn(ev)
	}
	for {
		data, err := t.next()
		if err != nil {
			return fmt.Errorf("read events from %s: %w", l.path, err)
		}
		for len(data) > 0 {
			i := bytes.IndexByte(data, '\n')
			if err := emit(data[:i]); err != nil {
				return err
			}
			data = data[i+1:]
		}
		if !opts.Follow {
			return nil
		}
		if !opts.Until.IsZero() && time.Now().After(opts.Until) {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(pollInterval):
		}
	}
}

// tail reads complete new lines from the log, surviving rotation (the file
// rewritten in place, shorter) and replacement (a new file at the path).
type tail struct {
	path     string
	f        *os.File
	offset   int64  // bytes consumed so far
	lastLine []byte // last complete line returned, to find our place after rotation
	lastTime time.Time
}

func (t *tail) close() {
	if t.f != nil {
		t.f.Close()
	}
}

// next returns the complete lines (each ending in '\n') added since the
// previous call.
func (t *tail) next() ([]byte, error) {
	if err := t.reopenIfReplaced(); err != nil || t.f == nil {
		return nil, err
	}
	fd := int(t.f.Fd())
	if err := flock(fd, unix.LOCK_SH); err != nil {
		return nil, err
	}
	defer flock(fd, unix.LOCK_UN)
	fi, err := t.f.Stat()
	if err != nil {
		return nil, err
	}
	size := fi.Size()
	rotated := t.offset > 0 && !t.continues(size)
	if rotated {
		t.offset = 0
	}
	if size <= t.offset {
		return nil, nil
	}
	buf := make([]byte, size-t.offset)
	n, err := t.f.ReadAt(buf, t.offset)
	if err != nil && n < len(buf) {
		return nil, err
	}
	// Keep a line still being written for the next call.
	end := bytes.LastIndexByte(buf, '\n') + 1
	buf = buf[:end]
	t.offset += int64(end)
	prev := bytes.Clone(t.lastLine)
	if end > 0 {
		// Remember the last complete line to recognise our place later.
		last := buf[:end-1]
		t.lastLine = append(t.lastLine[:0], last[bytes.LastIndexByte(last, '\n')+1:]...)
	}
	if rotated {
		buf = t.skipSeen(buf, prev)
	}
	return buf, nil
}

// continues reports whether the file still holds, just before offset, the
// last line we returned, i.e. it was not rotated under us.
func (t *tail) continues(size int64) bool {
	n := int64(len(t.lastLine)) + 1
	if size < t.offset || t.offset < n {
		return false
	}
	buf := make([]byte, n)
	if _, err := t.f.ReadAt(buf, t.offset-n); err != nil {
		return false
	}
	return bytes.Equal(buf[:n-1], t.lastLine) && buf[n-1] == '\n'
}

// skipSeen drops the lines of a rotated file that we already returned:
// everything up to our last line if it survived the cut, else every event
// not newer than the last one we saw.
func (t *tail) skipSeen(buf, lastLine []byte) []byte {
	if len(lastLine) == 0 {
		return buf
	}
	for off := 0; off < len(buf); {
		i := bytes.IndexByte(buf[off:], '\n')
		if bytes.Equal(buf[off:off+i], lastLine) {
			return buf[off+i+1:]
		}
		off += i + 1
	}
	var out []byte
	for len(buf) > 0 {
		i := bytes.IndexByte(buf, '\n')
		var ev define.Event
		if json.Unmarshal(buf[:i], &ev) != nil || ev.Time.After(t.lastTime) {
			out = append(out, buf[:i+1]...)
		}
		buf = buf[i+1:]
	}
	return out
}

// reopenIfReplaced opens the file on first use and again when another file
// has taken its path (deleted and re-created).
func (t *tail) reopenIfReplaced() error {
	cur, err := os.Stat(t.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil // keep reading what we have, if anything
	}
	if err != nil {
		return err
	}
	if t.f != nil {
		held, err := t.f.Stat()
		if err != nil {
			return err
		}
		if os.SameFile(held, cur) {
			return nil
		}
		t.f.Close()
		t.f, t.offset, t.lastLine = nil, 0, nil
	}
	f, err := os.Open(t.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	t.f = f
	return nil
}
