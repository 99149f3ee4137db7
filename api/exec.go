package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/detachkeys"
	"github.com/berth-dev/berth/service"
	"github.com/moby/moby/api/types/container"
)

// execBackend is what the exec routes need of service.
type execBackend interface {
	ExecCreate(ctx context.Context, name string, opts service.ExecOptions) (string, error)
	ExecInspect(id string) (*service.ExecSessionInfo, error)
	ExecStart(ctx context.Context, id string, s service.AttachStreams, detachKeys []byte, resize <-chan [2]uint16) (int, error)
	ExecStartDetached(ctx context.Context, id string) error
}

type execRouter struct {
	b        execBackend
	resizers *resizers
	// requests keeps what each session was created with that the engine
	// does not record (user, privileged, streams, detach keys), for
	// inspect and start. Lost with the server: inspect then shows less.
	requests *execRequests
}

func (rt execRouter) register(s *Server) {
	s.handle("POST /containers/{name}/exec", rt.create)
	s.handle("POST /exec/{id}/start", rt.start)
	s.handle("POST /exec/{id}/resize", rt.resize)
	s.handle("GET /exec/{id}/json", rt.inspect)
}

func (rt execRouter) create(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	var req container.ExecCreateRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	if len(req.Cmd) == 0 {
		return badRequest(errors.New("no exec command specified"))
	}
	if _, err := parseDetachKeys(req.DetachKeys); err != nil {
		return err
	}
	id, err := rt.b.ExecCreate(ctx, r.PathValue("name"), service.ExecOptions{
		Command:     req.Cmd,
		Env:         req.Env,
		User:        req.User,
		WorkDir:     req.WorkingDir,
		Terminal:    req.Tty,
		Interactive: req.AttachStdin,
		Privileged:  req.Privileged,
	})
	if err != nil {
		return err
	}
	rt.requests.add(id, req)
	writeJSON(w, http.StatusCreated, container.ExecCreateResponse{ID: id})
	return nil
}

// start runs the session: detached it answers at once; attached it
// hijacks the connection as attach does (101 UPGRADED on request), the
// streams multiplexed unless the session has a tty, until the process
// exits. Clients read the exit code from inspect afterwards.
func (rt execRouter) start(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	var req container.ExecStartRequest
	if r.ContentLength != 0 {
		if err := decodeBody(r, &req); err != nil {
			return err
		}
	}
	info, err := rt.b.ExecInspect(id)
	if err != nil {
		return err
	}
	if info.PID != 0 {
		return fmt.Errorf("exec %s has already been started: %w", id, define.ErrCtrStateInvalid)
	}
	if req.Detach {
		if err := rt.b.ExecStartDetached(ctx, id); err != nil {
			return err
		}
		w.WriteHeader(http.StatusOK)
		return nil
	}
	creq, known := rt.requests.get(id)
	if !known {
		creq = container.ExecCreateRequest{AttachStdin: info.Stdin, AttachStdout: true, AttachStderr: true, Tty: info.Terminal}
	}
	keys, err := parseDetachKeys(creq.DetachKeys)
	if err != nil {
		return err
	}
	// The resize channel exists before the client can send a size.
	resizeKey := "exec/" + id
	resize := rt.resizers.add(resizeKey)
	defer rt.resizers.remove(resizeKey, resize)
	if cs := req.ConsoleSize; cs != nil && info.Terminal {
		resize <- [2]uint16{uint16(cs[0]), uint16(cs[1])}
	}
	conn, buf, err := hijack(w, r, info.Terminal)
	if err != nil {
		return err
	}
	defer conn.Close()
	stdout, stderr := outputs(conn, info.Terminal)
	s := hijackedStreams(buf, stdout, stderr, creq.AttachStdin, creq.AttachStdout, creq.AttachStderr)
	// The client's request context ends with the hijack: the session
	// runs until its process exits or the client goes away.
	if _, err := rt.b.ExecStart(context.Background(), id, s, keys, resize); err != nil {
		_, _ = fmt.Fprintf(stderr, "Error: %v\r\n", err)
		rt.requests.failed(id, startFailureCode(err))
	}
	closeWrite(conn)
	return nil
}

func (rt execRouter) resize(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	h, err1 := strconv.ParseUint(q.Get("h"), 10, 16)
	wd, err2 := strconv.ParseUint(q.Get("w"), 10, 16)
	if err1 != nil || err2 != nil {
		return badRequest(fmt.Errorf("invalid resize: h=%q w=%q", q.Get("h"), q.Get("w")))
	}
	id := r.PathValue("id")
	if _, err := rt.b.ExecInspect(id); err != nil {
		return err
	}
	rt.resizers.send("exec/"+id, [2]uint16{uint16(h), uint16(wd)})
	w.WriteHeader(http.StatusOK)
	return nil
}

func (rt execRouter) inspect(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	info, err := rt.b.ExecInspect(id)
	if err != nil {
		rt.requests.remove(id)
		return err
	}
	creq, known := rt.requests.get(id)
	priv := creq.Privileged
	cmd := append([]string{""}, info.Command...)
	if len(info.Command) > 0 {
		cmd = info.Command
	}
	resp := container.ExecInspectResponse{
		ID:      info.ID,
		Running: info.Running,
		ProcessConfig: &container.ExecProcessConfig{
			Tty:        info.Terminal,
			Entrypoint: cmd[0],
			Arguments:  append([]string{}, cmd[1:]...),
			Privileged: &priv,
			User:       creq.User,
		},
		OpenStdin:   info.Stdin,
		OpenStdout:  creq.AttachStdout || !known,
		OpenStderr:  creq.AttachStderr || !known,
		ContainerID: info.ContainerID,
		DetachKeys:  []byte{},
		Pid:         info.PID,
	}
	if !info.Running && info.PID != 0 {
		code := info.ExitCode
		resp.ExitCode = &code
	} else if code, ok := rt.requests.failure(id); ok {
		resp.ExitCode = &code
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// execRequests are the create requests of live sessions, by ID, and the
// exit codes of those that could not start (the engine records none: the
// process never ran). It is kept small by dropping what inspect found
// gone, and at most maxExecRequests.
type execRequests struct {
	mu sync.Mutex
	m  map[string]*execEntry
}

type execEntry struct {
	req    container.ExecCreateRequest
	failed *int
}

const maxExecRequests = 4096

func (e *execRequests) add(id string, req container.ExecCreateRequest) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.m) >= maxExecRequests {
		for k := range e.m { // drop an arbitrary one
			delete(e.m, k)
			break
		}
	}
	e.m[id] = &execEntry{req: req}
}

func (e *execRequests) get(id string) (container.ExecCreateRequest, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if ent, ok := e.m[id]; ok {
		return ent.req, true
	}
	return container.ExecCreateRequest{}, false
}

func (e *execRequests) failed(id string, code int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if ent, ok := e.m[id]; ok {
		ent.failed = &code
	}
}

func (e *execRequests) failure(id string) (int, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if ent, ok := e.m[id]; ok && ent.failed != nil {
		return *ent.failed, true
	}
	return 0, false
}

func (e *execRequests) remove(id string) {
	e.mu.Lock()
	delete(e.m, id)
	e.mu.Unlock()
}

// startFailureCode is the exit code of a process that could not start,
// docker's and podman's: 127 for a command not found, else 126.
func startFailureCode(err error) int {
	if errors.Is(err, define.ErrOCIRuntimeNotFound) {
		return 127
	}
	return 126
}

// parseDetachKeys reads docker's detach key list; a bad one is the
// client's error.
func parseDetachKeys(s string) ([]byte, error) {
	keys, err := detachkeys.Parse(s)
	if err != nil {
		return nil, badRequest(err)
	}
	return keys, nil
}
