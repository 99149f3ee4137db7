package oci

import (
	"context"
	"errors"
	"fmt"
	"github.com/berth-dev/berth/internal/detachkeys"
	"io"
	"net"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// Stream markers conmon puts in the first byte of every attach packet.
const (
	attachStdout = 2
	attachStderr = 3
)

// attachPacketSize is large enough for conmon's biggest packet (8192 bytes
// of output plus the marker); SOCK_SEQPACKET drops what does not fit.
const attachPacketSize = 32 << 10

// maxSunPath is the usable length of sockaddr_un.sun_path on Linux.
const maxSunPath = 107

// AttachStreams selects which of the container's streams Attach copies.
type AttachStreams struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	AttachStdin    bool
	AttachStdout   bool
	AttachStderr   bool
	// Connected, if set, is called once the attach socket is connected, so
	// a caller that starts the container afterwards (run, start -a) misses
	// no output.
	Connected func()
}

// Attach connects to the container's attach socket and copies its streams
// until the container closes its output (nil), the detach keys are typed on
// stdin (ErrDetach), or ctx ends. Window sizes received on resize (rows,
// cols) are forwarded to conmon's ctl fifo for terminal containers.
// Stdin reaching EOF closes the write side of the connection, which makes
// conmon close the container's stdin (unless it was told to keep it open).
// Attach cannot interrupt a blocked Stdin.Read: the copying goroutine ends
// at the reader's next return, so callers with a long-lived stdin (a
// terminal) should close or cancel it when Attach returns.
func (r *Runtime) Attach(ctx context.Context, id, bundleDir string, s AttachStreams, detachKeys []byte, resize <-chan [2]uint16) error {
	conn, err := r.dialAttach(id, bundleDir)
	if err != nil {
		return err
	}
	defer conn.Close()

	done := make(chan struct{})
	defer close(done)
	if resize != nil {
		ctl, err := os.OpenFile(filepath.Join(bundleDir, ctlFifoName), os.O_WRONLY|unix.O_NONBLOCK, 0)
		switch {
		case errors.Is(err, unix.ENXIO):
			// No reader: conmon has gone since the dial (a container
			// that exits at once). Its output is still in the socket;
			// sizes no longer matter and are dropped.
			go forwardResize(nil, resize, done)
		case err != nil:
			return fmt.Errorf("container %s: open ctl fifo: %w", id, err)
		default:
			go forwardResize(ctl, resize, done)
		}
	}
	if s.Connected != nil {
		s.Connected()
	}

	outDone := make(chan error, 1)
	go func() { outDone <- copyOutput(conn, s) }()

	detached := make(chan struct{})
	if s.AttachStdin && s.Stdin != nil {
		go func() {
			if copyInput(conn, s.Stdin, detachKeys) {
				close(detached)
			}
		}()
	}

	select {
	case err := <-outDone:
		if err != nil {
			return fmt.Errorf("container %s: attach: %w", id, err)
		}
		return nil
	case <-detached:
		return ErrDetach
	case <-ctx.Done():
		return ctx.Err()
	}
}

// dialAttach connects to the SOCK_SEQPACKET attach socket. When the path is
// longer than sun_path allows, it goes through /proc/self/fd of the opened
// bundle directory, as conmon does when it binds.
func (r *Runtime) dialAttach(id, bundleDir string) (*net.UnixConn, error) {
	path := r.AttachSocketPath(id)
	if len(path) > maxSunPath {
		if bundleDir == "" {
			return nil, fmt.Errorf("container %s: attach socket path %s is too long", id, path)
		}
		dir, err := os.OpenFile(bundleDir, unix.O_PATH|unix.O_DIRECTORY, 0)
		if err != nil {
			return nil, fmt.Errorf("container %s: attach: %w", id, err)
		}
		defer dir.Close()
		path = fmt.Sprintf("/proc/self/fd/%d/attach", dir.Fd())
	}
	conn, err := net.DialUnix("unixpacket", nil, &net.UnixAddr{Name: path, Net: "unixpacket"})
	if err != nil {
		return nil, fmt.Errorf("container %s: connect to attach socket: %w", id, err)
	}
	return conn, nil
}

// copyOutput demultiplexes conmon's packets to the caller's writers until
// conmon closes the connection.
func copyOutput(conn *net.UnixConn, s AttachStreams) error {
	buf := make([]byte, attachPacketSize)
	for {
		n, err := conn.Read(buf)
		if n > 1 {
			var w io.Writer
			switch buf[0] {
			case attachStdout:
				if s.AttachStdout {
					w = s.Stdout
				}
			case attachStderr:
				if s.AttachStderr {
					w = s.Stderr
				}
			}
			if w != nil {
				if _, werr := w.Write(buf[1:n]); werr != nil {
					return werr
				}
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || errors.Is(err, unix.ECONNRESET) {
				return nil
			}
			return err
		}
		if n == 0 {
			return nil // orderly shutdown of a seqpacket socket
		}
	}
}

// copyInput sends stdin to conmon and reports whether the user detached.
// On EOF it half-closes the connection so the container sees EOF too.
func copyInput(conn *net.UnixConn, in io.Reader, keys []byte) (detached bool) {
	return detachkeys.Copy(conn, in, keys, func() { _ = conn.CloseWrite() })
}

// forwardResize writes "1 rows cols\n" (conmon's resize message) to the ctl
// fifo for each size until done; with no fifo (nil) it only drains resize.
func forwardResize(ctl *os.File, resize <-chan [2]uint16, done <-chan struct{}) {
	if ctl != nil {
		defer ctl.Close()
	}
	for {
		select {
		case <-done:
			return
		case sz, ok := <-resize:
			if !ok {
				return
			}
			if ctl != nil {
				_, _ = fmt.Fprintf(ctl, "1 %d %d\n", sz[0], sz[1])
			}
		}
	}
}
