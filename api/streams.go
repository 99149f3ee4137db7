package api

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/berth-dev/berth/service"
)

// streamBackend is what attach, logs and resize need of service.
type streamBackend interface {
	ContainerTerminal(name string) (bool, error)
	ContainerLogsReadable(name string) error
	ContainerAttach(ctx context.Context, name string, s service.AttachStreams, detachKeys []byte, resize <-chan [2]uint16) error
	ContainerLogs(ctx context.Context, name string, follow bool, tail int, since, until time.Time, timestamps, details bool, stdout, stderr io.Writer) error
}

type streamRouter struct {
	b streamBackend
	// resizers are the resize channels of live attach sessions, by the
	// name the client attached with (docker resizes by the same name).
	resizers *resizers
}

func (rt streamRouter) register(s *Server) {
	s.handle("POST /containers/{name}/attach", rt.attach)
	s.handle("POST /containers/{name}/resize", rt.resize)
	s.handle("GET /containers/{name}/logs", rt.logs)
}

// attach hijacks the connection: "101 UPGRADED" when the client asked to
// upgrade to tcp (docker CLI), a plain 200 otherwise, then the raw stream,
// multiplexed in docker's 8-byte frames unless the container has a tty.
func (rt streamRouter) attach(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	q := r.URL.Query()
	tty, err := rt.b.ContainerTerminal(name)
	if err != nil {
		return err
	}
	keys, err := parseDetachKeys(q.Get("detachKeys"))
	if err != nil {
		return err
	}
	conn, buf, err := takeOver(w)
	if err != nil {
		return err
	}
	defer conn.Close()
	// The head goes out once the attach socket is connected: clients
	// (docker run, podman run) start the container when they have it, and
	// must not miss the output of a short-lived one.
	var once sync.Once
	head := func() {
		once.Do(func() {
			if err := writeHead(conn, w, r, tty); err != nil {
				conn.Close()
			}
		})
	}
	defer head()
	stdout, stderr := outputs(conn, tty)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if boolValue(q.Get("logs")) {
		head()
		_ = rt.b.ContainerLogs(ctx, name, false, -1, time.Time{}, time.Time{}, false, false, stdout, stderr)
	}
	if !boolValue(q.Get("stream")) {
		return nil
	}
	s := hijackedStreams(buf, stdout, stderr, boolValue(q.Get("stdin")), boolValue(q.Get("stdout")), boolValue(q.Get("stderr")))
	s.Connected = head
	resize := rt.resizers.add(name)
	defer rt.resizers.remove(name, resize)
	if err := rt.b.ContainerAttach(ctx, name, s, keys, resize); err != nil {
		head()
		// The status line is gone: tell the client on the stream.
		_, _ = fmt.Fprintf(stderr, "Error: %v\n", err)
	}
	closeWrite(conn)
	return nil
}

// hijack takes the connection over for a raw stream, as docker does for
// attach and exec: "101 UPGRADED" when the client asked to upgrade to tcp
// (docker CLI), a plain 200 otherwise, with docker's headers and the
// content type of the stream (multiplexed frames unless a tty).
func hijack(w http.ResponseWriter, r *http.Request, tty bool) (net.Conn, *bufio.ReadWriter, error) {
	conn, buf, err := takeOver(w)
	if err != nil {
		return nil, nil, err
	}
	if err := writeHead(conn, w, r, tty); err != nil {
		conn.Close()
		return nil, nil, err
	}
	return conn, buf, nil
}

// takeOver hijacks the connection without answering yet.
func takeOver(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return nil, nil, fmt.Errorf("the connection cannot be hijacked")
	}
	return hj.Hijack()
}

// writeHead is the response head of a hijacked stream (see hijack).
func writeHead(conn net.Conn, w http.ResponseWriter, r *http.Request, tty bool) error {
	ctype := "application/vnd.docker.raw-stream"
	if !tty {
		ctype = "application/vnd.docker.multiplexed-stream"
	}
	var head strings.Builder
	if r.Header.Get("Upgrade") != "" {
		head.WriteString("HTTP/1.1 101 UPGRADED\r\nContent-Type: " + ctype + "\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n")
	} else {
		head.WriteString("HTTP/1.1 200 OK\r\nContent-Type: " + ctype + "\r\n")
	}
	for _, k := range []string{"Api-Version", "Ostype", "Server"} {
		head.WriteString(k + ": " + w.Header().Get(k) + "\r\n")
	}
	head.WriteString("\r\n")
	_, err := io.WriteString(conn, head.String())
	return err
}

// hijackedStreams are the attach streams asked for over a hijacked
// connection: stdin from what the client sends (buffered bytes first).
func hijackedStreams(buf *bufio.ReadWriter, stdout, stderr io.Writer, in, out, errOut bool) service.AttachStreams {
	s := service.AttachStreams{AttachStdin: in, AttachStdout: out, AttachStderr: errOut}
	if in {
		s.Stdin = buf.Reader
	}
	if out {
		s.Stdout = stdout
	}
	if errOut {
		s.Stderr = stderr
	}
	return s
}

// closeWrite tells the client the stream is over while it may still send.
func closeWrite(conn net.Conn) {
	if tcp, ok := conn.(interface{ CloseWrite() error }); ok {
		_ = tcp.CloseWrite()
	}
}

// outputs are the stdout and stderr writers of a hijacked stream.
func outputs(conn net.Conn, tty bool) (io.Writer, io.Writer) {
	if tty {
		return conn, conn
	}
	mu := &sync.Mutex{}
	return &frameWriter{w: conn, mu: mu, stream: 1}, &frameWriter{w: conn, mu: mu, stream: 2}
}

// frameWriter writes docker's multiplexed frames: stream byte, three zero
// bytes, big-endian length, payload.
type frameWriter struct {
	w      io.Writer
	mu     *sync.Mutex
	stream byte
}

func (f *frameWriter) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	hdr := [8]byte{f.stream}
	binary.BigEndian.PutUint32(hdr[4:], uint32(len(p)))
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.w.Write(hdr[:]); err != nil {
		return 0, err
	}
	return f.w.Write(p)
}

func (rt streamRouter) resize(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	h, err1 := strconv.ParseUint(q.Get("h"), 10, 16)
	wd, err2 := strconv.ParseUint(q.Get("w"), 10, 16)
	if err1 != nil || err2 != nil {
		return badRequest(fmt.Errorf("invalid resize: h=%q w=%q", q.Get("h"), q.Get("w")))
	}
	if _, err := rt.b.ContainerTerminal(r.PathValue("name")); err != nil {
		return err
	}
	rt.resizers.send(r.PathValue("name"), [2]uint16{uint16(h), uint16(wd)}) // rows, cols
	w.WriteHeader(http.StatusOK)
	return nil
}

func (rt streamRouter) logs(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	return rt.writeLogs(ctx, w, r, false)
}

// writeLogs streams a container's logs; multiplexed frames unless the
// container has a tty and frames are not forced (libpod always frames).
func (rt streamRouter) writeLogs(ctx context.Context, w http.ResponseWriter, r *http.Request, frames bool) error {
	name := r.PathValue("name")
	q := r.URL.Query()
	wantOut, wantErr := boolValue(q.Get("stdout")), boolValue(q.Get("stderr"))
	if !wantOut && !wantErr {
		return badRequest(fmt.Errorf("you must choose at least one stream"))
	}
	tty, err := rt.b.ContainerTerminal(name)
	if err != nil {
		return err
	}
	// An error, not an empty stream, for a driver with nothing to read.
	if err := rt.b.ContainerLogsReadable(name); err != nil {
		return err
	}
	tail := -1
	if t := q.Get("tail"); t != "" && t != "all" {
		if tail, err = strconv.Atoi(t); err != nil {
			return badRequest(fmt.Errorf("invalid tail %q", t))
		}
	}
	since, err := unixParam(q.Get("since"))
	if err != nil {
		return err
	}
	until, err := unixParam(q.Get("until"))
	if err != nil {
		return err
	}
	if tty && !frames {
		w.Header().Set("Content-Type", "application/vnd.docker.raw-stream")
	} else {
		w.Header().Set("Content-Type", "application/vnd.docker.multiplexed-stream")
	}
	w.WriteHeader(http.StatusOK)
	fw := &flushWriter{w: w}
	var stdout, stderr io.Writer = fw, fw
	if !tty || frames {
		mu := &sync.Mutex{}
		stdout, stderr = &frameWriter{w: fw, mu: mu, stream: 1}, &frameWriter{w: fw, mu: mu, stream: 2}
	}
	if !wantOut {
		stdout = io.Discard
	}
	if !wantErr {
		stderr = io.Discard
	}
	return rt.b.ContainerLogs(ctx, name, boolValue(q.Get("follow")), tail, since, until, boolValue(q.Get("timestamps")), boolValue(q.Get("details")), stdout, stderr)
}

// unixParam reads docker's since/until: seconds since the epoch, with an
// optional fraction.
func unixParam(v string) (time.Time, error) {
	if v == "" || v == "0" {
		return time.Time{}, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		// podman sends RFC 3339, the zero time for none.
		t, err := service.ParseTime(v)
		if err != nil {
			return time.Time{}, badRequest(fmt.Errorf("invalid timestamp %q", v))
		}
		if t.Year() <= 1 {
			return time.Time{}, nil
		}
		return t, nil
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)), nil
}

// flushWriter flushes after each write so followed logs arrive live.
type flushWriter struct{ w http.ResponseWriter }

func (f *flushWriter) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if fl, ok := f.w.(http.Flusher); ok {
		fl.Flush()
	}
	return n, err
}

// resizers routes resize requests to the attach sessions they are for.
type resizers struct {
	mu sync.Mutex
	m  map[string]chan [2]uint16
}

func (r *resizers) add(name string) chan [2]uint16 {
	ch := make(chan [2]uint16, 1)
	r.mu.Lock()
	r.m[name] = ch
	r.mu.Unlock()
	return ch
}

func (r *resizers) remove(name string, ch chan [2]uint16) {
	r.mu.Lock()
	if r.m[name] == ch {
		delete(r.m, name)
	}
	r.mu.Unlock()
}

// send drops a size when the session has one pending: the latest wins
// on the next resize anyway.
func (r *resizers) send(name string, size [2]uint16) {
	r.mu.Lock()
	ch := r.m[name]
	r.mu.Unlock()
	if ch == nil {
		return
	}
	select {
	case ch <- size:
	default:
	}
}
