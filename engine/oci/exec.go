package oci

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/berth-dev/berth/engine/define"
)

// ExecProcessFile is the name of the process spec (an OCI "process" JSON
// object) the engine writes into an exec session's directory; conmon hands
// it to `<runtime> exec --process`.
const ExecProcessFile = "process.json"

// execExitDirName is the directory of a session where conmon writes the
// exit file (named after the container, as conmon names exit files by -c).
const execExitDirName = "exit"

// ExecOptions describe one exec session for ExecContainer.
type ExecOptions struct {
	// ContainerID is the running container to exec in.
	ContainerID string
	// SessionID names the session: it is conmon's -u, so the attach
	// socket is <SocketDir>/<SessionID>/attach.
	SessionID string
	// Name is the container's name, for conmon's messages.
	Name string
	// SessionDir is the session's own directory, holding ExecProcessFile.
	// Conmon keeps its pid files, fifos, attach socket and the exit dir
	// there, so a session never touches its container's bundle.
	SessionDir string
	// Terminal runs the process on a new pty (the spec must say so too).
	Terminal bool
	// Stdin gives the process a stdin pipe fed from attached clients;
	// without it the process reads /dev/null.
	Stdin bool
	// PreserveFDs passes the caller's file descriptors 3 to 3+N-1 on to
	// the process (podman's exec --preserve-fds): conmon inherits them at
	// the same numbers and the runtime's exec --preserve-fds passes them.
	PreserveFDs uint
	// PreserveFD passes the listed descriptors at their numbers; a gap
	// below the highest (and above PreserveFDs') is an empty pipe.
	PreserveFD []uint
}

// ExecAttach is what an attached exec copies: the caller's streams, the
// detach keys to watch for on stdin, and window sizes for a terminal.
type ExecAttach struct {
	Streams    AttachStreams
	DetachKeys []byte
	Resize     <-chan [2]uint16
}

// ExecProcess is a started exec session.
type ExecProcess struct {
	// PID is the exec'd process on the host; ConmonPID its conmon.
	PID, ConmonPID int

	attached <-chan error
	sync     *syncReader
}

// ExecContainer runs a process in a running container through conmon's exec
// mode, so the pty, attach socket and exit reporting are those of a
// container. It returns once the process runs. With a non-nil attach, the
// caller is connected to the attach socket before the process starts, so
// no output is lost; Wait then copies the streams and returns the exit
// code. Without one, the session runs detached and only its exit file
// tells how it ended.
//
// A process that cannot be started returns an error wrapping
// define.ErrOCIRuntimeNotFound (missing executable or working directory),
// define.ErrOCIRuntimePermissionDenied or define.ErrOCIRuntime, as create
// does.
func (r *Runtime) ExecContainer(ctx context.Context, o ExecOptions, attach *ExecAttach) (_ *ExecProcess, retErr error) {
	if err := r.prepareExec(o); err != nil {
		return nil, err
	}
	cmd := exec.Command(r.conmonPath, r.execConmonArgs(o)...)
	cmd.Dir = o.SessionDir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	var stderr strings.Builder
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, nil, &limitedWriter{w: &stderr, n: 64 << 10}
	cmd.WaitDelay = 5 * time.Second

	// Three pipes, as podman uses them: conmon reports the PID (then the
	// exit code) on sync, waits twice on start (before forking, and before
	// running the runtime so we can attach first), and says on attach that
	// its socket is ready.
	var pipes [3][2]*os.File // read, write
	for i := range pipes {
		pr, pw, err := os.Pipe()
		if err != nil {
			for _, p := range pipes[:i] {
				p[0].Close()
				p[1].Close()
			}
			return nil, fmt.Errorf("exec in container %s: pipe: %w", o.ContainerID, err)
		}
		pipes[i] = [2]*os.File{pr, pw}
	}
	syncR, startW, attachR := pipes[0][0], pipes[1][1], pipes[2][0]
	theirs := []*os.File{pipes[0][1], pipes[1][0], pipes[2][1]}
	// Preserved descriptors come first, so that they keep their numbers;
	// conmon's pipes follow them.
	preserved, err := preservedExecFiles(o.PreserveFDs, o.PreserveFD)
	if err != nil {
		for _, p := range pipes {
			p[0].Close()
			p[1].Close()
		}
		return nil, fmt.Errorf("exec in container %s: %w", o.ContainerID, err)
	}
	defer func() {
		for _, f := range preserved.gaps {
			f.Close()
		}
	}()
	cmd.ExtraFiles = append(cmd.ExtraFiles, preserved.files...)
	cmd.ExtraFiles = append(cmd.ExtraFiles, theirs...)
	ours := []*os.File{syncR, startW, attachR}
	closeAll := func(fs []*os.File) {
		for _, f := range fs {
			f.Close()
		}
	}
	n := 3 + len(preserved.files)
	cmd.Env = append(conmonEnv(), fmt.Sprintf("_OCI_SYNCPIPE=%d", n), fmt.Sprintf("_OCI_STARTPIPE=%d", n+1), fmt.Sprintf("_OCI_ATTACHPIPE=%d", n+2))

	err = cmd.Start()
	closeAll(theirs)
	if err != nil {
		closeAll(ours)
		return nil, fmt.Errorf("exec in container %s: start conmon: %w", o.ContainerID, err)
	}
	keepSync := false
	defer func() {
		if retErr != nil {
			// Before closing the start pipe: its EOF would let the
			// runtime go ahead.
			r.killExecConmon(o)
		}
		startW.Close()
		attachR.Close()
		if !keepSync {
			syncR.Close()
		}
	}()
	if _, err := startW.Write([]byte{0}); err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("exec in container %s: write conmon start pipe: %w", o.ContainerID, err)
	}
	// The first conmon process exits once it has forked the monitor.
	if err := cmd.Wait(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("exec in container %s: conmon: %s: %w", o.ContainerID, msg, define.ErrOCIRuntime)
	}
	sr := newSyncReader(syncR)
	if _, err := readSyncMessage(ctx, attachR, nil); err != nil {
		// Conmon died before its socket was ready; its reason, if any,
		// is on the sync pipe.
		if msg, serr := sr.read(ctx); serr == nil && msg.Data < 0 {
			return nil, r.execError(o, errors.New(msg.Message))
		}
		return nil, fmt.Errorf("exec in container %s: waiting for conmon: %w", o.ContainerID, err)
	}

	var attached chan error
	if attach != nil {
		connected := make(chan struct{})
		s := attach.Streams
		s.Connected = func() {
			// Only now may the runtime run the process.
			_, _ = startW.Write([]byte{0})
			close(connected)
		}
		attached = make(chan error, 1)
		go func() {
			attached <- r.Attach(ctx, o.SessionID, o.SessionDir, s, attach.DetachKeys, attach.Resize)
		}()
		select {
		case <-connected:
		case err := <-attached:
			return nil, err
		}
	} else if _, err := startW.Write([]byte{0}); err != nil {
		return nil, fmt.Errorf("exec in container %s: write conmon start pipe: %w", o.ContainerID, err)
	}

	msg, err := sr.read(ctx)
	switch {
	case err == nil && msg.Data <= 0:
		err = r.execError(o, errors.New(msg.Message))
	case err != nil && ctx.Err() == nil:
		// Conmon gave up without a word; the runtime's log may say why.
		err = r.execError(o, err)
	}
	if err != nil {
		if attached != nil {
			// Conmon closes the socket as it exits; let the copy finish
			// so that nothing is left writing to the caller's streams.
			select {
			case <-attached:
			case <-time.After(5 * time.Second):
			}
		}
		return nil, err
	}
	p := &ExecProcess{PID: msg.Data, attached: attached}
	p.ConmonPID, _ = readPidFile(filepath.Join(o.SessionDir, conmonPidFileName))
	if attached != nil {
		keepSync = true
		p.sync = sr
	}
	return p, nil
}

// Wait copies the attached streams until the process closes them, then
// returns its exit code as conmon reports it. It returns ErrDetach when the
// user typed the detach keys and the copy's error when the caller's streams
// broke; the process runs on in both cases.
func (p *ExecProcess) Wait(ctx context.Context) (int, error) {
	if p.attached == nil {
		return -1, fmt.Errorf("exec session was started detached: %w", define.ErrInvalidArg)
	}
	defer p.sync.f.Close()
	var attachErr error
	select {
	case attachErr = <-p.attached:
	case <-ctx.Done():
		return -1, ctx.Err()
	}
	if attachErr != nil {
		// Detached, or the caller's streams broke: the process runs on.
		return -1, attachErr
	}
	msg, err := p.sync.read(ctx)
	if err != nil {
		return -1, fmt.Errorf("exec session: %w", err)
	}
	if msg.Message != "" && msg.Data < 0 {
		return -1, fmt.Errorf("exec session: %s: %w", msg.Message, define.ErrOCIRuntime)
	}
	return msg.Data, nil
}

// ExecExitCode reads the exit file conmon wrote for a session; exists is
// false while the process runs (or when conmon died without writing one).
func (r *Runtime) ExecExitCode(containerID, sessionDir string) (code int, exists bool, err error) {
	p := filepath.Join(sessionDir, execExitDirName, containerID)
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	code, err = strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, false, fmt.Errorf("parse exec exit file %s: %w", p, err)
	}
	return code, true, nil
}

// ExecConmonPID returns the PID of a session's conmon, 0 if unknown.
func (r *Runtime) ExecConmonPID(sessionDir string) int {
	pid, _ := readPidFile(filepath.Join(sessionDir, conmonPidFileName))
	return pid
}

// ExecResize sets the window size of a session's terminal.
func (r *Runtime) ExecResize(sessionDir string, rows, cols uint16) error {
	ctl, err := os.OpenFile(filepath.Join(sessionDir, ctlFifoName), os.O_WRONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return fmt.Errorf("exec session: open ctl fifo: %w", err)
	}
	defer ctl.Close()
	_, err = fmt.Fprintf(ctl, "1 %d %d\n", rows, cols)
	return err
}

func (r *Runtime) prepareExec(o ExecOptions) error {
	switch {
	case o.ContainerID == "" || o.SessionID == "":
		return fmt.Errorf("exec: empty container or session id: %w", define.ErrInvalidArg)
	case !filepath.IsAbs(o.SessionDir):
		return fmt.Errorf("exec in container %s: session dir %q must be absolute: %w", o.ContainerID, o.SessionDir, define.ErrInvalidArg)
	}
	if _, err := os.Stat(filepath.Join(o.SessionDir, ExecProcessFile)); err != nil {
		return fmt.Errorf("exec in container %s: %w", o.ContainerID, err)
	}
	if err := os.MkdirAll(filepath.Join(o.SessionDir, execExitDirName), 0o700); err != nil {
		return fmt.Errorf("exec in container %s: %w", o.ContainerID, err)
	}
	stale := []string{filepath.Join(r.cfg.SocketDir, o.SessionID), filepath.Join(o.SessionDir, execExitDirName, o.ContainerID)}
	for _, name := range []string{pidFileName, conmonPidFileName, runtimeLogName, ctlFifoName, winszFifoName, "attach"} {
		stale = append(stale, filepath.Join(o.SessionDir, name))
	}
	if err := removeStale(stale); err != nil {
		return fmt.Errorf("exec in container %s: %w", o.ContainerID, err)
	}
	return nil
}

// execConmonArgs builds conmon's command line for an exec session.
func (r *Runtime) execConmonArgs(o ExecOptions) []string {
	args := r.baseConmonArgs(o.ContainerID, o.SessionID, o.SessionDir, o.Name)
	args = append(args,
		"--exit-dir", filepath.Join(o.SessionDir, execExitDirName),
		// Exec output belongs to the caller, not to the container's log.
		"-l", "none")
	if o.Terminal {
		args = append(args, "-t")
	}
	if o.Stdin {
		args = append(args, "-i")
	}
	args = append(args, "-e", "--exec-attach", "--exec-process-spec", filepath.Join(o.SessionDir, ExecProcessFile))
	if n := preservedCount(o.PreserveFDs, o.PreserveFD); n > 0 {
		// conmon hands --runtime-opt values to `<runtime> exec`.
		args = append(args, "--runtime-opt", "--preserve-fds", "--runtime-opt", strconv.Itoa(n))
	}
	for _, a := range r.runtimeArgs() {
		args = append(args, "--runtime-arg", a)
	}
	return append(args,
		"--runtime-arg", "--log-format=json",
		"--runtime-arg", "--log="+filepath.Join(o.SessionDir, runtimeLogName))
}

// execError classifies a failed `<runtime> exec` by the runtime's own log,
// like createError.
func (r *Runtime) execError(o ExecOptions, cause error) error {
	msg := ""
	if b, err := os.ReadFile(filepath.Join(o.SessionDir, runtimeLogName)); err == nil {
		msg = cleanRuntimeMessage(string(b))
	}
	if msg == "" && cause != nil {
		msg = cleanRuntimeMessage(cause.Error())
	}
	if msg == "" {
		msg = "exec failed (no logs from conmon)"
	}
	return runtimeError(r.cfg.Name, msg)
}

// killExecConmon stops the monitor of a session that failed half-way, so
// no conmon outlives the command that started it.
func (r *Runtime) killExecConmon(o ExecOptions) {
	if pid, err := readPidFile(filepath.Join(o.SessionDir, conmonPidFileName)); err == nil && pid > 0 {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// syncReader reads conmon's JSON lines from a pipe that carries more than
// one (exec: the PID, later the exit code), so it keeps its buffer between
// reads.
type syncReader struct {
	f  *os.File
	br *bufio.Reader
}

func newSyncReader(f *os.File) *syncReader {
	return &syncReader{f: f, br: bufio.NewReaderSize(f, 512)}
}

func (s *syncReader) read(ctx context.Context) (syncMessage, error) {
	return readSyncMessage(ctx, s.f, s.br)
}

// readSyncMessage reads one message from f (through br when given). EOF
// without a message means conmon exited without reporting.
func readSyncMessage(ctx context.Context, f *os.File, br *bufio.Reader) (syncMessage, error) {
	if br == nil {
		br = bufio.NewReaderSize(f, 512)
	}
	type result struct {
		msg syncMessage
		err error
	}
	ch := make(chan result, 1)
	go func() {
		var res result
		line, err := br.ReadBytes('\n')
		switch {
		case len(line) > 0:
			if jerr := json.Unmarshal(line, &res.msg); jerr != nil {
				res.err = fmt.Errorf("decode conmon message %q: %w", line, jerr)
			}
		case err == io.EOF:
			res.err = errors.New("conmon exited without reporting")
		default:
			res.err = err
		}
		ch <- res
	}()
	select {
	case res := <-ch:
		return res.msg, res.err
	case <-ctx.Done():
		_ = f.SetReadDeadline(time.Now())
		<-ch
		return syncMessage{}, ctx.Err()
	}
}
