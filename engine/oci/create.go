package oci

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/berth-dev/berth/engine/define"
)

// CreateOptions describe one container for CreateContainer. The engine has
// already written BundleDir/config.json.
type CreateOptions struct {
	ID, Name string
	// BundleDir holds config.json. Conmon also keeps its pid files, the ctl
	// and winsz fifos, the runtime's log and (as persist dir) the oom and
	// exit markers here.
	BundleDir string
	// LogPath is the k8s-file log path; "" with LogDriver "" means no log.
	LogPath string
	// LogDriver is "k8s-file" (default), "journald", "passthrough" (the
	// container writes to the caller's stdio), "syslog" (it writes to
	// Stdout and Stderr, pipes to berth's syslog forwarder) or "none".
	LogDriver string
	// Stdout and Stderr are the container's stdout and stderr with the
	// syslog driver (conmon's passthrough hands them over).
	Stdout, Stderr *os.File
	// LogSizeMax caps the k8s-file log (0: no cap): conmon starts it
	// afresh when the next write would pass it, as podman's max-size does.
	LogSizeMax int64
	// LogTag is the journald CONTAINER_TAG (podman's --log-opt tag).
	LogTag string
	// ExitCommand is run by conmon once the container exited (berth's
	// `container cleanup ID`); its first element must be an absolute path.
	ExitCommand []string
	// ExitDelay (seconds) holds the exit command back, for a caller that
	// cleans up itself and then cancels it (CancelExitCommand).
	ExitDelay int
	// Terminal allocates a pty (config.json must say process.terminal).
	Terminal bool
	// Stdin keeps the container's stdin open for attach (-i). Terminal
	// containers always take input through the pty.
	Stdin bool
	// LeaveStdinOpen keeps stdin open when an attached client goes away.
	LeaveStdinOpen bool
	// Timeout has conmon kill the container after that many seconds
	// (0: never).
	Timeout uint
	// NoCgroups runs the container without a cgroup (--cgroups=disabled;
	// crun's --cgroup-manager=disabled).
	NoCgroups bool
	// ExtraFiles are inherited by conmon and kept open for the container's
	// lifetime (the sockets that reserve its published host ports). The
	// runtime closes them before the container's process starts.
	ExtraFiles []*os.File
	// PreservedFiles become the container's file descriptors 3, 4, ...
	// (--preserve-fds/--preserve-fd): conmon gets them first and passes
	// them on with the runtime's --preserve-fds.
	PreservedFiles []*os.File
}

// Files conmon and the runtime keep in the bundle directory.
const (
	pidFileName       = "pidfile"
	conmonPidFileName = "conmon.pid"
	runtimeLogName    = "oci-log"
	ctlFifoName       = "ctl"
	winszFifoName     = "winsz"
	oomFileName       = "oom"
	persistExitName   = "exit"
)

// syncMessage is what conmon writes on the sync pipe (API version 1): the
// container PID, or a negative number and the runtime's error message.
type syncMessage struct {
	Data    int    `json:"data"`
	Message string `json:"message,omitempty"`
}

// CreateContainer spawns conmon, which runs `<runtime> create`, and returns
// once the container exists (status "created") with its PID and conmon's.
// A runtime failure carries the runtime's message and wraps
// define.ErrOCIRuntimeNotFound, define.ErrOCIRuntimePermissionDenied or
// define.ErrOCIRuntime.
//
// Note that conmon runs the exit command even when the runtime fails to
// create the container, so the cleanup command must cope with a container
// that never got created.
func (r *Runtime) CreateContainer(ctx context.Context, o CreateOptions) (pid, conmonPID int, retErr error) {
	if err := r.validateCreate(o); err != nil {
		return 0, 0, err
	}
	if err := r.prepareCreate(o); err != nil {
		return 0, 0, err
	}

	args := r.conmonArgs(o)
	cmd := exec.Command(r.conmonPath, args...)
	cmd.Dir = o.BundleDir
	// conmon double-forks and calls setsid itself; our own session keeps a
	// terminal's SIGINT/SIGHUP away from it until then.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	var stderr strings.Builder
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, nil, &limitedWriter{w: &stderr, n: 64 << 10}
	if o.LogDriver == "passthrough" {
		// The container's stdio is ours (conmon hands its own to the
		// runtime): a systemd unit's journal, or the terminal of `run`.
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	}
	if o.LogDriver == "syslog" {
		cmd.Stdout, cmd.Stderr = o.Stdout, o.Stderr
	}
	cmd.WaitDelay = 5 * time.Second

	syncR, syncW, err := os.Pipe()
	if err != nil {
		return 0, 0, fmt.Errorf("sync pipe: %w", err)
	}
	defer syncR.Close()
	startR, startW, err := os.Pipe()
	if err != nil {
		syncW.Close()
		return 0, 0, fmt.Errorf("start pipe: %w", err)
	}
	n := len(o.PreservedFiles)
	cmd.ExtraFiles = append(append(append([]*os.File{}, o.PreservedFiles...), syncW, startR), o.ExtraFiles...)
	cmd.Env = append(conmonEnv(), fmt.Sprintf("_OCI_SYNCPIPE=%d", 3+n), fmt.Sprintf("_OCI_STARTPIPE=%d", 4+n))

	err = cmd.Start()
	syncW.Close()
	startR.Close()
	if err != nil {
		startW.Close()
		return 0, 0, fmt.Errorf("start conmon: %w", err)
	}
	defer func() {
		// A duplicate ID is the other container's; leave it alone.
		if retErr != nil && !errors.Is(retErr, define.ErrCtrExists) {
			// Conmon exits by itself once the runtime failed; only a
			// cancelled wait leaves it (and runc) running.
			r.cleanupFailedCreate(o, ctx.Err() != nil)
		}
	}()
	// Conmon blocks on the start pipe before forking, which is where a
	// caller could move it into a cgroup. We have nothing to do there yet.
	_, werr := startW.Write([]byte{0})
	startW.Close()
	if werr != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return 0, 0, fmt.Errorf("write conmon start pipe: %w", werr)
	}
	// The first conmon process exits as soon as it has forked the monitor.
	if err := cmd.Wait(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return 0, 0, fmt.Errorf("conmon: %s: %w", msg, define.ErrOCIRuntime)
	}

	msg, err := readSync(ctx, syncR)
	if err != nil {
		return 0, 0, r.createError(o, err)
	}
	if msg.Data <= 0 {
		return 0, 0, r.createError(o, errors.New(msg.Message))
	}
	conmonPID, err = readPidFile(filepath.Join(o.BundleDir, conmonPidFileName))
	if err != nil {
		return 0, 0, fmt.Errorf("conmon pid: %w", err)
	}
	return msg.Data, conmonPID, nil
}

func (r *Runtime) validateCreate(o CreateOptions) error {
	switch {
	case o.ID == "":
		return fmt.Errorf("create container: empty id: %w", define.ErrInvalidArg)
	case o.BundleDir == "" || !filepath.IsAbs(o.BundleDir):
		return fmt.Errorf("create container %s: bundle dir %q must be absolute: %w", o.ID, o.BundleDir, define.ErrInvalidArg)
	case len(o.ExitCommand) > 0 && !filepath.IsAbs(o.ExitCommand[0]):
		return fmt.Errorf("create container %s: exit command %q must be an absolute path: %w", o.ID, o.ExitCommand[0], define.ErrInvalidArg)
	}
	switch o.LogDriver {
	case "", "k8s-file", "none", "journald":
	case "passthrough":
		if o.Terminal {
			// conmon would refuse it with a less clear message.
			return fmt.Errorf("create container %s: the passthrough log driver cannot be used with a terminal (-t): %w", o.ID, define.ErrInvalidArg)
		}
	case "syslog":
		if o.Terminal || o.Stdout == nil || o.Stderr == nil {
			return fmt.Errorf("create container %s: the syslog log driver needs stdout and stderr pipes and no terminal (-t): %w", o.ID, define.ErrInvalidArg)
		}
	default:
		return fmt.Errorf("create container %s: log driver %q: %w", o.ID, o.LogDriver, define.ErrInvalidArg)
	}
	if _, err := os.Stat(filepath.Join(o.BundleDir, "config.json")); err != nil {
		return fmt.Errorf("create container %s: %w", o.ID, err)
	}
	return nil
}

// prepareCreate makes the shared directories and removes what a previous
// run of the same container left behind: conmon refuses to mkfifo over an
// existing ctl fifo, and a stale exit file would make the new container
// look exited at once.
func (r *Runtime) prepareCreate(o CreateOptions) error {
	// runc and crun both keep a container's state in <root>/<id>. Refusing
	// here, before any file is touched, keeps a live container's exit file
	// and attach link safe from a create that reuses its ID.
	if _, err := os.Lstat(filepath.Join(r.cfg.StateRoot, o.ID)); err == nil {
		return fmt.Errorf("create container %s: the runtime already knows it: %w", o.ID, define.ErrCtrExists)
	}
	for _, dir := range []string{r.cfg.StateRoot, r.cfg.ExitDir, r.cfg.SocketDir} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("create container %s: %w", o.ID, err)
		}
	}
	stale := []string{
		r.ExitFilePath(o.ID),
		filepath.Join(r.cfg.SocketDir, o.ID),
	}
	for _, name := range []string{pidFileName, conmonPidFileName, runtimeLogName, ctlFifoName, winszFifoName, oomFileName, persistExitName, "attach"} {
		stale = append(stale, filepath.Join(o.BundleDir, name))
	}
	if err := removeStale(stale); err != nil {
		return fmt.Errorf("create container %s: %w", o.ID, err)
	}
	return nil
}

// removeStale deletes what a previous run of conmon left behind; missing
// files are fine.
func removeStale(paths []string) error {
	for _, p := range paths {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove stale %s: %w", p, err)
		}
	}
	return nil
}

// baseConmonArgs is what conmon's command line has in common for a
// container and an exec session: ctrID is the container, uuid the
// container or the session, dir the bundle or session directory holding
// the pid files.
func (r *Runtime) baseConmonArgs(ctrID, uuid, dir, name string) []string {
	if name == "" {
		name = ctrID
	}
	args := []string{
		"--api-version", "1",
		"-c", ctrID,
		"-u", uuid,
		"-r", r.path,
		"-b", dir,
		"-p", filepath.Join(dir, pidFileName),
		"-n", name,
		"--socket-dir-path", r.cfg.SocketDir,
		"--conmon-pidfile", filepath.Join(dir, conmonPidFileName),
	}
	if r.cfg.CgroupManager == "systemd" {
		args = append(args, "-s")
	}
	if lvl := conmonLogLevel(r.cfg.LogLevel); lvl != "" {
		args = append(args, "--log-level", lvl)
	}
	if r.cfg.Syslog {
		args = append(args, "--syslog")
	}
	return args
}

// conmonArgs builds conmon's command line, mirroring what podman passes.
func (r *Runtime) conmonArgs(o CreateOptions) []string {
	args := r.baseConmonArgs(o.ID, o.ID, o.BundleDir, o.Name)
	args = append(args, "--persist-dir", o.BundleDir)
	switch {
	case o.LogDriver == "none" || (o.LogDriver == "" && o.LogPath == ""):
		args = append(args, "-l", "none")
	case o.LogDriver == "passthrough" || o.LogDriver == "syslog":
		args = append(args, "-l", "passthrough")
	case o.LogDriver == "journald":
		args = append(args, "-l", "journald:")
		if o.LogTag != "" {
			// conmon takes a tag for the journal only.
			args = append(args, "--log-tag", o.LogTag)
		}
	default:
		args = append(args, "-l", "k8s-file:"+o.LogPath)
		if o.LogSizeMax > 0 {
			args = append(args, "--log-size-max", strconv.FormatInt(o.LogSizeMax, 10))
		}
	}
	// With a terminal, stdin is the pty master that also carries output:
	// -i would make conmon close it when an attached client leaves, which
	// kills the output too. Podman passes -i for non-terminal containers only.
	if o.Terminal {
		args = append(args, "-t")
	} else if o.Stdin && o.LogDriver != "syslog" {
		// syslog's container reads nothing: conmon's stdin is /dev/null.
		args = append(args, "-i")
	}
	if o.LeaveStdinOpen {
		args = append(args, "--leave-stdin-open")
	}
	if o.Timeout > 0 {
		args = append(args, "--timeout", strconv.FormatUint(uint64(o.Timeout), 10))
	}
	if n := len(o.PreservedFiles); n > 0 {
		// conmon hands runtime options to `<runtime> create`.
		args = append(args, "--runtime-opt", "--preserve-fds", "--runtime-opt", strconv.Itoa(n))
	}
	// Global runtime flags go before the "create" verb conmon adds.
	for _, a := range r.runtimeArgs() {
		if a == "--systemd-cgroup" {
			continue // conmon adds it itself for -s
		}
		args = append(args, "--runtime-arg", a)
	}
	args = append(args,
		"--runtime-arg", "--log-format=json",
		"--runtime-arg", "--log="+filepath.Join(o.BundleDir, runtimeLogName))
	if o.NoCgroups {
		args = slices.DeleteFunc(args, func(a string) bool { return a == "-s" })
		args = append(args, "--runtime-arg", "--cgroup-manager", "--runtime-arg", "disabled")
	}
	if len(o.ExitCommand) > 0 {
		args = append(args, "--exit-command", o.ExitCommand[0])
		for _, a := range o.ExitCommand[1:] {
			args = append(args, "--exit-command-arg", a)
		}
		if o.ExitDelay > 0 {
			args = append(args, "--exit-delay", strconv.Itoa(o.ExitDelay))
		}
	}
	return args
}

// conmonLogLevel maps berth's log level to one conmon accepts; conmon exits
// on a level it does not know.
func conmonLogLevel(l string) string {
	switch strings.ToLower(l) {
	case "trace", "debug":
		return "debug"
	case "info":
		return "info"
	case "warn", "warning":
		return "warn"
	case "error", "fatal", "panic":
		return "error"
	}
	return ""
}

// conmonEnv is berth's environment minus what would confuse conmon or the
// runtime (inherited sync pipes, socket activation, sd_notify). The exit
// command inherits it too, so config-locating variables survive.
func conmonEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "_OCI_"), strings.HasPrefix(k, "LISTEN_"), k == "NOTIFY_SOCKET":
			continue
		}
		env = append(env, kv)
	}
	return env
}

// readSync reads conmon's first sync message; ctx bounds a stuck runtime.
func readSync(ctx context.Context, f *os.File) (syncMessage, error) {
	return readSyncMessage(ctx, f, nil)
}

// createError prefers the runtime's own log (its last error line) over
// what conmon forwarded, since conmon only forwards the runtime's stderr.
func (r *Runtime) createError(o CreateOptions, cause error) error {
	if errors.Is(cause, context.Canceled) || errors.Is(cause, context.DeadlineExceeded) {
		return fmt.Errorf("create container %s: %w", o.ID, cause)
	}
	msg := ""
	if b, err := os.ReadFile(filepath.Join(o.BundleDir, runtimeLogName)); err == nil {
		msg = cleanRuntimeMessage(string(b))
	}
	if msg == "" && cause != nil {
		msg = cleanRuntimeMessage(cause.Error())
	}
	if msg == "" {
		msg = "container create failed (no logs from conmon)"
	}
	return runtimeError(r.cfg.Name, msg)
}

// cleanupFailedCreate kills a conmon that is still around and makes the
// runtime forget a half-created container. Errors are ignored: this runs
// on a path that already reports the original failure.
func (r *Runtime) cleanupFailedCreate(o CreateOptions, killConmon bool) {
	if pid, err := readPidFile(filepath.Join(o.BundleDir, conmonPidFileName)); killConmon && err == nil && pid > 0 {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _ = r.run(ctx, "delete", "--force", o.ID)
}

func readPidFile(p string) (int, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, fmt.Errorf("parse pid file %s: %w", p, err)
	}
	return pid, nil
}

// limitedWriter keeps at most n bytes, so a chatty conmon cannot grow our
// memory without bound.
type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.n <= 0 {
		return len(p), nil
	}
	q := p
	if len(q) > l.n {
		q = q[:l.n]
	}
	l.n -= len(q)
	if _, err := l.w.Write(q); err != nil {
		return 0, err
	}
	return len(p), nil
}
