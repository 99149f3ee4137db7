// Package events keeps the engine's event log: an append-only file of JSON
// lines shared by every berth process, read by `berth events` and streamed
// by the API.
package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"golang.org/x/sys/unix"
)

// DefaultMaxSize is the size past which the log is rotated. Rotation keeps
// the newest half, so the file stays between 512 KiB and 1 MiB.
const DefaultMaxSize = 1 << 20

// Logger appends events to one file and reads them back.
//
// Concurrency: writers append with O_APPEND in a single write(2) while
// holding a shared flock, so lines from concurrent processes never
// interleave. Rotation rewrites the file in place under an exclusive flock,
// so no writer or reader sees it half done. Readers hold a shared flock
// only while reading a chunk.
type Logger struct {
	path string
	// MaxSize is the rotation threshold in bytes; 0 means DefaultMaxSize.
	MaxSize int64
}

// NewLogger returns a logger for the file at path. Nothing is opened until
// the first Write or Read; the directory is created on first Write.
func NewLogger(path string) *Logger {
	return &Logger{path: path}
}

// Path returns the file the logger writes.
func (l *Logger) Path() string { return l.path }

func (l *Logger) maxSize() int64 {
	if l.MaxSize > 0 {
		return l.MaxSize
	}
	return DefaultMaxSize
}

// Write appends ev as one JSON line, setting its time to now if unset, and
// rotates the file when it has grown past MaxSize.
func (l *Logger) Write(ev define.Event) error {
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	line, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encode event: %w", err)
	}
	line = append(line, '\n')
	size, err := l.appendLine(line)
	if err != nil {
		return fmt.Errorf("write event to %s: %w", l.path, err)
	}
	if size > l.maxSize() {
		if err := l.rotate(); err != nil {
			return fmt.Errorf("rotate %s: %w", l.path, err)
		}
	}
	return nil
}

// appendLine writes line in one write(2) and returns the file size after it.
func (l *Logger) appendLine(line []byte) (int64, error) {
	flags := unix.O_WRONLY | unix.O_APPEND | unix.O_CREAT | unix.O_CLOEXEC
	fd, err := unix.Open(l.path, flags, 0o600)
	if errors.Is(err, unix.ENOENT) {
		if err := os.MkdirAll(filepath.Dir(l.path), 0o700); err != nil {
			return 0, err
		}
		fd, err = unix.Open(l.path, flags, 0o600)
	}
	if err != nil {
		return 0, err
	}
	defer unix.Close(fd)
	if err := flock(fd, unix.LOCK_SH); err != nil {
		return 0, err
	}
	n, err := unix.Write(fd, line)
	if err != nil {
		return 0, err
	}
	if n != len(line) {
		return 0, io.ErrShortWrite
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return 0, err
	}
	return st.Size, nil
}

// rotate keeps the newest half of the file (whole lines only). It rewrites
// the file in place rather than renaming a new one over it, so writers and
// followers that have it open keep using the right file.
func (l *Logger) rotate() error {
	fd, err := unix.Open(l.path, unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := flock(fd, unix.LOCK_EX); err != nil {
		return err
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return err
	}
	if st.Size <= l.maxSize() {
		return nil // another process rotated while we waited
	}
	keep := l.maxSize() / 2
	buf := make([]byte, keep)
	n, err := unix.Pread(fd, buf, st.Size-keep)
	if err != nil {
		return err
	}
	buf = buf[:n]
	// Drop the partial line at the cut.
	if i := bytes.IndexByte(buf, '\n'); i >= 0 {
		buf = buf[i+1:]
	} else {
		buf = nil
	}
	if len(buf) > 0 {
		if _, err := unix.Pwrite(fd, buf, 0); err != nil {
			return err
		}
	}
	return unix.Ftruncate(fd, int64(len(buf)))
}

// flock retries on EINTR.
func flock(fd, how int) error {
	for {
		err := unix.Flock(fd, how)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}
