package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/berth-dev/berth/engine/define"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/engine/oci"
	"github.com/berth-dev/berth/internal/caps"
	"github.com/berth-dev/berth/internal/fault"
	"github.com/berth-dev/berth/internal/idgen"
	"github.com/berth-dev/berth/internal/lookup"
)

// Exec sessions live in the container's state (ContainerState.ExecSessions)
// and are changed only under the container's lock: the container's lock is
// the session's lock, which keeps the documented order (container before
// exec session) trivially. The lock is never held while a session's
// streams are copied, so stop, kill and inspect are not blocked by an
// interactive exec.

// ExecConfig describes a process to run in a running container.
type ExecConfig struct {
	// Command is the argv; it must not be empty.
	Command []string
	// Env holds KEY=VALUE pairs laid over the container's environment.
	Env []string
	// User ("name", "uid", "uid:gid"...) defaults to the container's user.
	User string
	// WorkDir defaults to the container's working directory.
	WorkDir string
	// Terminal runs the process on its own pty.
	Terminal bool
	// Stdin keeps the process's stdin open for an attached client (-i).
	Stdin bool
	// Privileged gives the process every capability.
	Privileged bool
	// Healthcheck marks a healthcheck's session: it logs no exec events
	// (its health_status event says what happened), as in podman.
	Healthcheck bool
	// PreserveFDs passes the starting process's descriptors 3..3+N-1 on
	// (exec --preserve-fds); the session must be started by the process
	// that holds them.
	PreserveFDs uint
	// PreserveFD passes the listed descriptors at their numbers (exec
	// --preserve-fd); a gap below the highest is an empty pipe.
	PreserveFD []uint
}

// execSessionDir holds one session's process spec and what conmon keeps
// for it. It sits in the bundle, so it goes with the container's run files.
func (c *Container) execSessionDir(id string) string {
	return filepath.Join(c.bundleDir(), "exec", id)
}

// Exec runs cfg in the container with the caller attached, as one call:
// create the session, start it attached, and remove it once the process
// exited. It returns the process's exit code. A detach (ErrDetach) leaves
// the session running and recorded; `inspect` lists it until the container
// stops.
func (c *Container) Exec(ctx context.Context, cfg ExecConfig, s AttachStreams, detachKeys []byte, resize <-chan [2]uint16) (int, error) {
	id, err := c.ExecCreate(ctx, cfg)
	if err != nil {
		return -1, err
	}
	code, err := c.ExecStartAndAttach(ctx, id, s, detachKeys, resize)
	if errors.Is(err, ErrDetach) {
		return -1, err
	}
	// A session that ended (or never started) is of no further use.
	if rerr := c.ExecRemove(context.WithoutCancel(ctx), id, false); rerr != nil && err == nil &&
		!errors.Is(rerr, define.ErrCtrRemoved) && !errors.Is(rerr, define.ErrNoSuchExecSession) {
		return code, rerr
	}
	return code, err
}

// ExecCreate records a new exec session in a running container and writes
// its process spec; nothing runs yet. It returns the session's ID.
func (c *Container) ExecCreate(ctx context.Context, cfg ExecConfig) (_ string, retErr error) {
	if len(cfg.Command) == 0 {
		return "", fmt.Errorf("must provide a non-empty command to start an exec session: %w", define.ErrInvalidArg)
	}
	if err := c.lockSync(); err != nil {
		return "", err
	}
	defer c.lock.Unlock()
	if c.state.Status != define.StatusRunning {
		return "", fmt.Errorf("can only create exec sessions on running containers: %w", define.ErrCtrStateInvalid)
	}
	proc, err := c.execProcessLocked(cfg)
	if err != nil {
		return "", err
	}
	data, err := json.Marshal(proc)
	if err != nil {
		return "", err
	}
	id := idgen.NewID()
	dir := c.execSessionDir(id)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	defer func() {
		if retErr != nil {
			_ = os.RemoveAll(dir)
		}
	}()
	if err := os.WriteFile(filepath.Join(dir, oci.ExecProcessFile), data, 0o600); err != nil {
		return "", err
	}
	c.syncExecSessionsLocked()
	c.pruneExecSessionsLocked(time.Now())
	if c.state.ExecSessions == nil {
		c.state.ExecSessions = map[string]*define.ExecSession{}
	}
	c.state.ExecSessions[id] = &define.ExecSession{
		ID: id, Command: append([]string(nil), cfg.Command...), Terminal: cfg.Terminal, Stdin: cfg.Stdin,
		Healthcheck: cfg.Healthcheck, PreserveFDs: cfg.PreserveFDs, PreserveFD: cfg.PreserveFD,
	}
	if err := c.saveLocked(); err != nil {
		delete(c.state.ExecSessions, id)
		return "", err
	}
	return id, nil
}

// ExecStartAndAttach starts a created session with the caller attached to
// its streams and returns the process's exit code once it exited. It
// returns ErrDetach when the user typed the detach keys (terminal sessions
// only, as for containers): the process runs on.
func (c *Container) ExecStartAndAttach(ctx context.Context, id string, s AttachStreams, detachKeys []byte, resize <-chan [2]uint16) (int, error) {
	p, err := c.execStart(ctx, id, func(terminal bool) *oci.ExecAttach {
		if !terminal {
			detachKeys = nil
		}
		return &oci.ExecAttach{Streams: s, DetachKeys: detachKeys, Resize: resize}
	})
	if err != nil {
		return -1, err
	}
	code, err := p.Wait(ctx)
	if errors.Is(err, oci.ErrDetach) {
		return -1, ErrDetach
	}
	if err != nil {
		// Conmon may have recorded the exit even if it could not tell us.
		rt, rerr := c.runtime.ociRuntimeFor(c.config.OCIRuntime)
		if rerr != nil {
			return -1, err
		}
		fileCode, exists, ferr := rt.ExecExitCode(c.config.ID, c.execSessionDir(id))
		if ferr != nil || !exists {
			return -1, err
		}
		code = fileCode
	}
	c.execExited(id, code)
	return code, nil
}

// ExecStart starts a created session detached: nobody is attached and the
// process's exit is recorded from its exit file when the session is next
// looked at.
func (c *Container) ExecStart(ctx context.Context, id string) error {
	_, err := c.execStart(ctx, id, nil)
	return err
}

// execStart runs a created session. attach, if set, builds the attach
// options once the session's terminal setting is known.
func (c *Container) execStart(ctx context.Context, id string, attach func(terminal bool) *oci.ExecAttach) (*oci.ExecProcess, error) {
	if err := c.lockSync(); err != nil {
		return nil, err
	}
	defer c.lock.Unlock()
	if c.state.Status != define.StatusRunning {
		return nil, fmt.Errorf("can only start exec sessions when their container is running: %w", define.ErrCtrStateInvalid)
	}
	sess, ok := c.state.ExecSessions[id]
	if !ok {
		return nil, fmt.Errorf("container %s has no exec session %s: %w", c.config.Name, id, define.ErrNoSuchExecSession)
	}
	if sess.PID != 0 {
		return nil, fmt.Errorf("exec session %s has already been started: %w", id, define.ErrCtrStateInvalid)
	}
	rt, err := c.runtime.ociRuntimeFor(c.config.OCIRuntime)
	if err != nil {
		return nil, err
	}
	var a *oci.ExecAttach
	if attach != nil {
		a = attach(sess.Terminal)
	}
	p, err := rt.ExecContainer(ctx, oci.ExecOptions{
		ContainerID: c.config.ID,
		SessionID:   id,
		Name:        c.config.Name,
		SessionDir:  c.execSessionDir(id),
		Terminal:    sess.Terminal,
		Stdin:       sess.Stdin,
		PreserveFDs: sess.PreserveFDs,
		PreserveFD:  sess.PreserveFD,
	}, a)
	if err != nil {
		if c.joinsForeignNetNS() && strings.Contains(err.Error(), "error executing setns process") {
			return nil, fmt.Errorf("%w (the container has a user namespace of its own and joins a network namespace owned by another: runc 1.1 enters the user namespace first and may then not enter the network one; crun can)", err)
		}
		return nil, err
	}
	fault.At("exec", p.ConmonPID, p.PID)
	sess.PID, sess.ConmonPID, sess.Running = p.PID, p.ConmonPID, true
	sess.PIDStart = stampStart(p.PID, 0)
	sess.ConmonPIDStart = stampStart(p.ConmonPID, 0)
	if err := c.saveLocked(); err != nil {
		_ = syscall.Kill(p.PID, syscall.SIGKILL)
		return nil, err
	}
	if !sess.Healthcheck {
		c.runtime.event(c.newEvent("exec", "execID", id))
	}
	return p, nil
}

// joinsForeignNetNS reports whether c has a user namespace of its own but
// joins a network namespace it does not own (host, ns:PATH, another
// container's or a pod's when c does not share that one's user namespace).
func (c *Container) joinsForeignNetNS() bool {
	u := c.config.UserNS
	if u == nil || u.Mode == "" || u.Mode == "host" {
		return false
	}
	if owner := c.config.Namespaces["net"]; owner != "" {
		return owner != c.config.Namespaces["user"]
	}
	return c.config.NetMode == "host" || strings.HasPrefix(c.config.NetMode, "ns:")
}

// execExited records a session's exit code. The container may have been
// stopped or removed meanwhile, which took the session with it.
func (c *Container) execExited(id string, code int) {
	if err := c.lockSync(); err != nil {
		return
	}
	defer c.lock.Unlock()
	sess, ok := c.state.ExecSessions[id]
	if ok && sess.Running {
		sess.Running, sess.ExitCode, sess.ExitedAt = false, code, time.Now()
		_ = c.saveLocked()
	}
	if ok && sess.Healthcheck {
		return
	}
	ev := c.newEvent("exec_died", "execID", id)
	ev.ExitCode = &code
	c.runtime.event(ev)
}

// ExecSessions returns the container's exec sessions, with the exits of
// detached ones folded in from their exit files.
func (c *Container) ExecSessions() (map[string]define.ExecSession, error) {
	if err := c.lockSync(); err != nil {
		return nil, err
	}
	defer c.lock.Unlock()
	if c.syncExecSessionsLocked() {
		if err := c.saveLocked(); err != nil {
			return nil, err
		}
	}
	out := make(map[string]define.ExecSession, len(c.state.ExecSessions))
	for id, s := range c.state.ExecSessions {
		out[id] = *s
	}
	return out, nil
}

// syncExecSessionsLocked marks running sessions whose process exited, and
// reports whether anything changed.
//
// Preconditions: c.lock is held.
func (c *Container) syncExecSessionsLocked() bool {
	rt, err := c.runtime.ociRuntimeFor(c.config.OCIRuntime)
	if err != nil {
		return false
	}
	changed := false
	for id, s := range c.state.ExecSessions {
		if !s.Running {
			continue
		}
		code, exists, err := rt.ExecExitCode(c.config.ID, c.execSessionDir(id))
		switch {
		case err == nil && exists:
			s.ExitCode = code
		case s.ConmonPID > 0 && !pidAlive(s.ConmonPID, s.ConmonPIDStart):
			s.ExitCode = -1 // conmon died without recording an exit
		default:
			continue
		}
		s.Running, s.ExitedAt = false, time.Now()
		changed = true
	}
	return changed
}

// ExecRetention is how long an exited session stays inspectable. Clients
// of the docker API create a session per exec and never remove it (docker
// has no exec remove route), so without this a long-running container
// would collect them without end; podman keeps them five minutes too.
const ExecRetention = 5 * time.Minute

// pruneExecSessionsLocked drops sessions that exited more than
// ExecRetention ago, with their files, and reports whether any went.
//
// Preconditions: c.lock is held.
func (c *Container) pruneExecSessionsLocked(now time.Time) bool {
	pruned := false
	for id, s := range c.state.ExecSessions {
		if s.Running || s.ExitedAt.IsZero() || now.Sub(s.ExitedAt) < ExecRetention {
			continue
		}
		if err := os.RemoveAll(c.execSessionDir(id)); err != nil {
			continue
		}
		delete(c.state.ExecSessions, id)
		pruned = true
	}
	return pruned
}

// ExecRemove deletes an exec session. A running one needs force, which
// kills its process first.
func (c *Container) ExecRemove(ctx context.Context, id string, force bool) error {
	if err := c.lockSync(); err != nil {
		return err
	}
	defer c.lock.Unlock()
	sess, ok := c.state.ExecSessions[id]
	if !ok {
		return fmt.Errorf("container %s has no exec session %s: %w", c.config.Name, id, define.ErrNoSuchExecSession)
	}
	c.syncExecSessionsLocked()
	if sess.Running {
		if !force {
			return fmt.Errorf("exec session %s is still running: %w", id, define.ErrCtrStateInvalid)
		}
		c.stopExecLocked(sess)
	}
	if err := os.RemoveAll(c.execSessionDir(id)); err != nil {
		return err
	}
	delete(c.state.ExecSessions, id)
	return c.saveLocked()
}

// stopExecLocked kills a session's process and gives its conmon a moment
// to record the exit, so the session's files can go away without pulling
// them from under a conmon that is still writing.
//
// Preconditions: c.lock is held.
func (c *Container) stopExecLocked(s *define.ExecSession) {
	if s.Running && s.PID > 0 && pidAlive(s.PID, s.PIDStart) {
		_ = syscall.Kill(s.PID, syscall.SIGKILL)
	}
	if s.ConmonPID > 0 {
		deadline := time.Now().Add(2 * time.Second)
		for pidAlive(s.ConmonPID, s.ConmonPIDStart) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
	}
	s.Running = false
}

// removeExecSessionsLocked ends every exec session of a container whose
// process is gone. In a container with its own PID namespace the kernel
// already killed the exec'd processes with the init; with the host's or
// another container's, they are killed here.
//
// Preconditions: c.lock is held; the container's process is not running.
func (c *Container) removeExecSessionsLocked() error {
	for _, s := range c.state.ExecSessions {
		c.stopExecLocked(s)
	}
	c.state.ExecSessions = nil
	if err := os.RemoveAll(filepath.Join(c.bundleDir(), "exec")); err != nil {
		return fmt.Errorf("removing exec sessions: %w", err)
	}
	return nil
}

// execProcessLocked builds the session's process from the running
// container's own (its config.json in the bundle, where the user is
// already numeric and HOME set) and cfg.
//
// Preconditions: c.lock is held; the container is running.
func (c *Container) execProcessLocked(cfg ExecConfig) (*specs.Process, error) {
	data, err := os.ReadFile(filepath.Join(c.bundleDir(), "config.json"))
	if err != nil {
		return nil, fmt.Errorf("container %s: reading its runtime spec: %w", c.config.Name, err)
	}
	var spec specs.Spec
	if err := json.Unmarshal(data, &spec); err != nil {
		return nil, fmt.Errorf("container %s: decoding its runtime spec: %w", c.config.Name, err)
	}
	if spec.Process == nil {
		return nil, fmt.Errorf("container %s has no process in its spec: %w", c.config.Name, define.ErrInvalidArg)
	}
	p := spec.Process
	p.Args = cfg.Command
	p.Terminal = cfg.Terminal
	p.ConsoleSize = nil
	if cfg.WorkDir != "" {
		if !filepath.IsAbs(cfg.WorkDir) {
			return nil, fmt.Errorf("the working directory %q must be an absolute path: %w", cfg.WorkDir, define.ErrInvalidArg)
		}
		p.Cwd = cfg.WorkDir
	}
	env := p.Env
	if cfg.User != "" {
		u, err := lookup.User(c.state.Mountpoint, cfg.User)
		if err != nil {
			return nil, err
		}
		p.User.UID, p.User.GID = u.UID, u.GID
		p.User.AdditionalGids = append([]uint32(nil), u.AdditionalGids...)
		env = setEnv(env, "HOME="+u.Home)
	}
	if cfg.Terminal && !hasEnv(env, "TERM") {
		env = append(env, "TERM=xterm")
	}
	for _, kv := range cfg.Env {
		env = setEnv(env, kv)
	}
	p.Env = env
	if cfg.Privileged {
		caps := allCapabilities()
		p.Capabilities = &specs.LinuxCapabilities{Bounding: caps, Effective: caps, Permitted: caps}
	}
	return p, nil
}

// setEnv replaces the KEY of kv in env, or appends kv.
func setEnv(env []string, kv string) []string {
	k, _, _ := strings.Cut(kv, "=")
	for i, e := range env {
		if ek, _, _ := strings.Cut(e, "="); ek == k {
			out := append([]string(nil), env...)
			out[i] = kv
			return out
		}
	}
	return append(env, kv)
}

// allCapabilities is every capability berth itself may hand out, for
// exec --privileged: those of the kernel that are in berth's own bounding
// set (the runtime cannot grant one outside it).
func allCapabilities() []string { return caps.All() }
