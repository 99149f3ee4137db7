package e2e

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// ttySession is berth running on the slave side of a real pty, driven from
// the master side the way a terminal emulator drives a shell: what the
// test writes is what the user types, and the output is what they see.
type ttySession struct {
	t      testing.TB
	cmd    *exec.Cmd
	ptmx   *os.File
	cancel context.CancelFunc
	// before is the terminal's mode before berth ran, to check that berth
	// restores it.
	before *unix.Termios

	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{} // closed when the output reader stops
	// seen is how far expect has consumed the output.
	seen int

	waited bool
	code   int
}

// startTTY runs berth with args on a new pty of the given size. The pty is
// berth's controlling terminal, so window changes raise SIGWINCH in it and
// ^C is a key, not a signal to the test.
func startTTY(t testing.TB, env *Env, rows, cols uint16, args ...string) *ttySession {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*DefaultTimeout)
	return startTTYCmd(t, env.Command(ctx, args...), cancel, rows, cols)
}

// startTTYCmd runs cmd (any client: berth, the docker CLI) on a new pty;
// cancel ends cmd's context.
func startTTYCmd(t testing.TB, cmd *exec.Cmd, cancel context.CancelFunc, rows, cols uint16) *ttySession {
	t.Helper()
	// A session of its own with the pty as controlling terminal (instead
	// of Command's process group).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	ptmx, tty, err := pty.Open()
	if err != nil {
		cancel()
		t.Fatalf("open pty: %v", err)
	}
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: rows, Cols: cols}); err != nil {
		t.Fatalf("set pty size: %v", err)
	}
	before, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatalf("termios: %v", err)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start berth on a pty: %v", err)
	}
	tty.Close()
	s := &ttySession{t: t, cmd: cmd, ptmx: ptmx, cancel: cancel, before: before, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		buf := make([]byte, 32<<10)
		for {
			n, err := ptmx.Read(buf)
			s.mu.Lock()
			s.out.Write(buf[:n])
			s.mu.Unlock()
			if err != nil { // EIO once the last slave fd is closed
				return
			}
		}
	}()
	t.Cleanup(func() {
		if !s.waited {
			cancel()
			_ = cmd.Wait()
		}
		ptmx.Close()
		cancel()
	})
	return s
}

// output returns everything berth printed so far.
func (s *ttySession) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// expect waits until want appears in the output after what earlier expects
// consumed, and consumes up to its end.
func (s *ttySession) expect(want string) {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s.mu.Lock()
		rest := s.out.String()[s.seen:]
		if i := strings.Index(rest, want); i >= 0 {
			s.seen += i + len(want)
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		if time.Now().After(deadline) {
			s.t.Fatalf("terminal never showed %q; it shows:\n%q", want, s.output())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// send types keys.
func (s *ttySession) send(keys string) {
	s.t.Helper()
	if _, err := s.ptmx.Write([]byte(keys)); err != nil {
		s.t.Fatalf("type %q: %v", keys, err)
	}
}

// resize changes the terminal's size, as a user resizing the window; the
// kernel sends SIGWINCH to berth.
func (s *ttySession) resize(rows, cols uint16) {
	s.t.Helper()
	if err := pty.Setsize(s.ptmx, &pty.Winsize{Rows: rows, Cols: cols}); err != nil {
		s.t.Fatalf("resize pty: %v", err)
	}
}

// wait waits for berth to exit, returns its exit code and checks that the
// terminal is back in the mode it was in before berth ran.
func (s *ttySession) wait() int {
	s.t.Helper()
	err := s.cmd.Wait()
	s.waited = true
	var ee *exec.ExitError
	switch {
	case err == nil, errors.Is(err, exec.ErrWaitDelay):
		s.code = s.cmd.ProcessState.ExitCode()
	case errors.As(err, &ee):
		s.code = ee.ExitCode()
	default:
		s.t.Fatalf("berth on a pty: %v\noutput:\n%q", err, s.output())
	}
	if s.code < 0 {
		s.t.Fatalf("berth on a pty did not exit normally (%v); output:\n%q", s.cmd.ProcessState, s.output())
	}
	after, err := unix.IoctlGetTermios(int(s.ptmx.Fd()), unix.TCGETS)
	if err != nil {
		s.t.Fatalf("termios: %v", err)
	}
	if after.Lflag != s.before.Lflag || after.Iflag != s.before.Iflag || after.Oflag != s.before.Oflag {
		s.t.Errorf("terminal mode not restored: lflag %#x iflag %#x oflag %#x, was %#x %#x %#x",
			after.Lflag, after.Iflag, after.Oflag, s.before.Lflag, s.before.Iflag, s.before.Oflag)
	}
	return s.code
}

// Keys as a terminal sends them.
const (
	keyCtrlC = "\x03"
	keyCtrlP = "\x10"
	keyCtrlQ = "\x11"
)

func TestTerminalRunShell(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)

	s := startTTY(t, env, 24, 80, "run", "--network", "none", "-it", "--rm", "--name", "tsh", "busybox", "sh")
	s.expect("# ")
	// Echo and line editing are the container's pty's: what is typed comes
	// back once, and the size is the user's terminal's.
	s.send("stty size\r")
	s.expect("stty size")
	s.expect("24 80")
	s.send("tty\r")
	s.expect("/dev/pts/")
	s.resize(50, 132)
	// The resize travels asynchronously (SIGWINCH -> berth -> conmon);
	// poll until the shell sees it.
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(s.output(), "50 132") {
		if time.Now().After(deadline) {
			t.Fatalf("the container never saw the new size; terminal shows:\n%q", s.output())
		}
		s.send("stty size\r")
		time.Sleep(100 * time.Millisecond)
	}
	s.send("exit 7\r")
	if code := s.wait(); code != 7 {
		t.Fatalf("run -it exit code = %d, want the shell's 7; output:\n%q", code, s.output())
	}
	WaitFor(t, 20*time.Second, func() bool {
		return env.Berth("container", "exists", "tsh").ExitCode() == 1
	})
}

func TestTerminalCtrlCReachesContainer(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)

	// The trap is set before "armed" is printed, so a ^C typed after it
	// can only be handled by the trap.
	s := startTTY(t, env, 24, 80, "run", "--network", "none", "-it", "--rm", "busybox", "sh", "-c",
		`trap 'echo caught-int; exit 130' INT; echo armed; while :; do sleep 1; done`)
	s.expect("armed")
	s.send(keyCtrlC)
	s.expect("caught-int")
	if code := s.wait(); code != 130 {
		t.Fatalf("exit code = %d, want 130; output:\n%q", code, s.output())
	}
}

func TestTerminalDetachAndAttach(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)

	s := startTTY(t, env, 24, 80, "run", "--network", "none", "-it", "--name", "dt", "busybox", "sh")
	s.expect("# ")
	s.send("echo one-$((40+2))\r")
	s.expect("one-42")
	s.send(keyCtrlP + keyCtrlQ)
	if code := s.wait(); code != 0 {
		t.Fatalf("detach: exit code %d, want 0; output:\n%q", code, s.output())
	}
	if st := env.MustBerth(t, "inspect", "--format", "{{.State.Status}}", "dt"); st != "running" {
		t.Fatalf("after detaching the container is %q, want running", st)
	}

	// attach re-attaches to the same shell; the default keys detach again.
	a := startTTY(t, env, 24, 80, "attach", "dt")
	a.send("echo two-$((40+3))\r")
	a.expect("two-43")
	a.send(keyCtrlP + keyCtrlQ)
	if code := a.wait(); code != 0 {
		t.Fatalf("attach detach: exit code %d, want 0; output:\n%q", code, a.output())
	}

	// --detach-keys replaces the sequence.
	b := startTTY(t, env, 24, 80, "attach", "--detach-keys", "ctrl-x,y", "dt")
	b.send("echo three-$((40+4))\r")
	b.expect("three-44")
	b.send("\x18y")
	if code := b.wait(); code != 0 {
		t.Fatalf("attach --detach-keys: exit code %d, want 0; output:\n%q", code, b.output())
	}

	// Leaving the shell ends the container; attach returns its exit code.
	c := startTTY(t, env, 24, 80, "attach", "dt")
	c.send("echo four-$((40+5))\r")
	c.expect("four-45")
	c.send("exit 3\r")
	if code := c.wait(); code != 3 {
		t.Fatalf("attach: exit code %d, want the container's 3; output:\n%q", code, c.output())
	}
	if st := env.MustBerth(t, "inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", "dt"); st != "exited 3" {
		t.Fatalf("after exit: %q, want exited 3", st)
	}
	env.MustBerth(t, "rm", "dt")
}

func TestTerminalDetachKeysFromContainersConf(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	conf := filepath.Join(env.TmpDir, "containers.conf")
	if err := os.WriteFile(conf, []byte("[engine]\ndetach_keys = \"ctrl-a,ctrl-e\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env.Environ = append(env.Environ, "CONTAINERS_CONF="+conf)

	s := startTTY(t, env, 24, 80, "run", "--network", "none", "-it", "--name", "cc", "busybox", "sh")
	s.expect("# ")
	// The default sequence is not special any more...
	s.send(keyCtrlP + keyCtrlQ + "echo still-$((1+1))\r")
	s.expect("still-2")
	// ...the configured one is.
	s.send("\x01\x05")
	if code := s.wait(); code != 0 {
		t.Fatalf("detach with containers.conf keys: exit code %d, want 0; output:\n%q", code, s.output())
	}
	if st := env.MustBerth(t, "inspect", "--format", "{{.State.Status}}", "cc"); st != "running" {
		t.Fatalf("after detaching the container is %q, want running", st)
	}
	// An empty --detach-keys disables detaching: the keys reach the shell.
	a := startTTY(t, env, 24, 80, "attach", "--detach-keys", "", "cc")
	a.send("\x01\x05" + "echo through-$((2+2))\r")
	a.expect("through-4")
	a.send("exit 0\r")
	if code := a.wait(); code != 0 {
		t.Fatalf("attach: exit code %d, want 0; output:\n%q", code, a.output())
	}
	env.MustBerth(t, "rm", "cc")
}

func TestTerminalStartAttachInteractive(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "create", "--network", "none", "-it", "--name", "sa", "busybox", "sh")

	s := startTTY(t, env, 33, 101, "start", "-ai", "sa")
	s.expect("# ")
	s.send("stty size\r")
	s.expect("33 101")
	s.send("exit 5\r")
	if code := s.wait(); code != 5 {
		t.Fatalf("start -ai exit code = %d, want 5; output:\n%q", code, s.output())
	}
	env.MustBerth(t, "rm", "sa")
}

func TestAttachNoStdinAndSigProxy(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)

	// --no-stdin: output flows, typed keys (detach keys included) do not
	// reach the container; the attach ends with the container.
	env.MustBerth(t, "run", "--network", "none", "-dit", "--name", "ns", "busybox", "sh", "-c",
		`i=0; while [ ! -e /tmp/stop ]; do i=$((i+1)); echo tick-$i; sleep 0.2; done; exit 3`)
	s := startTTY(t, env, 24, 80, "attach", "--no-stdin", "ns")
	s.expect("tick-")
	s.send(keyCtrlP + keyCtrlQ)
	env.MustBerth(t, "exec", "ns", "touch", "/tmp/stop")
	if code := s.wait(); code != 3 {
		t.Fatalf("attach --no-stdin: exit code %d, want the container's 3; output:\n%q", code, s.output())
	}

	// attach proxies signals to a container without a terminal.
	env.MustBerth(t, "run", "--network", "none", "-d", "--name", "sp", "busybox", "sh", "-c",
		`trap 'echo got-usr1; exit 4' USR1; while :; do echo tick; sleep 0.2; done`)
	ctx, cancel := context.WithTimeout(context.Background(), 2*DefaultTimeout)
	defer cancel()
	cmd := env.Command(ctx, "attach", "sp")
	out := &pbSyncBuffer{}
	cmd.Stdout = out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Output means attached, and the proxy is set up before that (a
	// signal earlier could find berth without its handlers yet).
	WaitFor(t, 30*time.Second, func() bool { return strings.Contains(out.String(), "tick") })
	_ = cmd.Process.Signal(syscall.SIGUSR1)
	var ee *exec.ExitError
	if err := cmd.Wait(); !errors.As(err, &ee) || ee.ExitCode() != 4 {
		t.Fatalf("attach after the proxied signal: %v, want exit code 4", err)
	}
	env.MustBerth(t, "rm", "ns", "sp")
}
