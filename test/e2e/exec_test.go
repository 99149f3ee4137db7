package e2e

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The containers of these tests run with --network none: terminals, exec
// and streams do not depend on networking, which network_test.go covers.

// execIDs returns the exec sessions `inspect` lists for a container.
func execIDs(t testing.TB, env *Env, ctr string) []string {
	t.Helper()
	return strings.Fields(strings.Trim(env.MustBerth(t, "inspect", "--format", "{{.ExecIDs}}", ctr), "[]"))
}

func TestExecExitCodesAndErrors(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "--network", "none", "-d", "--name", "ex", "busybox", "sleep", "1000")

	cases := []struct {
		name     string
		args     []string
		code     int
		stdout   string
		stderrIs string
	}{
		{"exit code", []string{"exec", "ex", "sh", "-c", "echo out; echo err >&2; exit 5"}, 5, "out\n", "err\n"},
		{"success", []string{"exec", "ex", "true"}, 0, "", ""},
		{"not found", []string{"exec", "ex", "nosuchcmd"}, 127, "", ""},
		{"not executable", []string{"exec", "ex", "/etc/passwd"}, 126, "", ""},
		{"bad workdir", []string{"exec", "-w", "/nonexistent", "ex", "pwd"}, 127, "", ""},
		{"unknown user", []string{"exec", "-u", "nosuchuser", "ex", "id"}, 126, "", ""},
		{"no such container", []string{"exec", "nosuchctr", "true"}, 125, "", ""},
		{"no command", []string{"exec", "ex"}, 125, "", ""},
		{"relative workdir", []string{"exec", "-w", "tmp", "ex", "pwd"}, 125, "", ""},
		{"bad detach keys", []string{"exec", "--detach-keys", "ctrl-%", "ex", "true"}, 125, "", ""},
	}
	for _, c := range cases {
		r := env.Berth(c.args...)
		if r.ExitCode() != c.code {
			t.Errorf("%s: exit code %d, want %d\n%s", c.name, r.ExitCode(), c.code, r)
			continue
		}
		if c.code == 0 || c.code == 5 {
			if r.Stdout() != c.stdout || r.Stderr() != c.stderrIs {
				t.Errorf("%s: stdout %q stderr %q, want %q and %q", c.name, r.Stdout(), r.Stderr(), c.stdout, c.stderrIs)
			}
		} else if !strings.HasPrefix(r.Stderr(), "Error: ") || strings.Count(strings.TrimSpace(r.Stderr()), "\n") != 0 {
			t.Errorf("%s: want one \"Error: ...\" line, got %q", c.name, r.Stderr())
		}
	}
	// Attached sessions, failed or finished, leave no record behind.
	if ids := execIDs(t, env, "ex"); len(ids) != 0 {
		t.Errorf("ExecIDs after attached execs = %v, want none", ids)
	}
	if r := env.Berth("exec", "ex", "nosuchcmd"); !strings.Contains(r.Stderr(), "executable file not found") {
		t.Errorf("exec of a missing command should say why:\n%s", r)
	}

	// Not running: refused, like podman.
	env.MustBerth(t, "create", "--network", "none", "--name", "cr", "busybox", "true")
	if r := env.Berth("exec", "cr", "true"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "running") {
		t.Errorf("exec into a created container:\n%s", r)
	}
	env.MustBerth(t, "pause", "ex")
	if r := env.Berth("exec", "ex", "true"); r.ExitCode() != 125 {
		t.Errorf("exec into a paused container:\n%s", r)
	}
	env.MustBerth(t, "unpause", "ex")
}

func TestExecOptions(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "--network", "none", "-d", "--name", "eo", "-e", "KEEP=ctr", "-e", "OVER=ctr", "busybox", "sleep", "1000")

	envFile := filepath.Join(env.TmpDir, "env")
	if err := os.WriteFile(envFile, []byte("# comment\nFROMFILE=file\nOVER=file\nHOSTVAR\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env.Environ = append(env.Environ, "HOSTVAR=from-host")
	out := env.MustBerth(t, "exec", "--env-file", envFile, "-e", "OVER=flag", "-e", "NEW=new", "eo", "env")
	got := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		k, v, _ := strings.Cut(l, "=")
		got[k] = v
	}
	want := map[string]string{"KEEP": "ctr", "OVER": "flag", "FROMFILE": "file", "HOSTVAR": "from-host", "NEW": "new", "HOME": "/root"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("exec env %s=%q, want %q (env:\n%s)", k, got[k], v, out)
		}
	}
	if _, ok := got["TERM"]; ok {
		t.Errorf("TERM set without -t:\n%s", out)
	}

	// -u and -w, with HOME following the user.
	out = env.MustBerth(t, "exec", "-u", "1000:1000", "-w", "/tmp", "eo", "sh", "-c", "id -u; id -g; pwd; echo $HOME")
	if want := "1000\n1000\n/tmp\n/home/berthuser"; out != want {
		t.Errorf("exec -u -w printed %q, want %q", out, want)
	}
	if out := env.MustBerth(t, "exec", "-u", "berthuser", "eo", "id", "-un"); out != "berthuser" {
		t.Errorf("exec -u berthuser: %q", out)
	}
	// The container's own user and workdir otherwise.
	if out := env.MustBerth(t, "exec", "eo", "sh", "-c", "id -u; pwd"); out != "0\n/" {
		t.Errorf("exec defaults: %q", out)
	}

	// --privileged: every capability, where the default set is smaller.
	capEff := func(args ...string) string {
		out := env.MustBerth(t, append([]string{"exec"}, append(args, "eo", "grep", "CapEff", "/proc/self/status")...)...)
		return strings.TrimSpace(strings.TrimPrefix(out, "CapEff:"))
	}
	plain, priv := capEff(), capEff("--privileged")
	if plain == priv {
		t.Errorf("exec --privileged has the same capabilities as exec: %s", plain)
	}
	// Every capability berth has itself (the test runs as berth's user).
	own := ""
	if status, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, l := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(l, "CapBnd:"); ok {
				own = strings.TrimSpace(v)
			}
		}
	}
	if priv != own {
		t.Errorf("exec --privileged CapEff = %s, want the whole bounding set %s", priv, own)
	}

	// -t without a terminal on our side still gives the process one.
	if out := env.MustBerth(t, "exec", "-t", "eo", "sh", "-c", "tty; echo $TERM"); !strings.HasPrefix(out, "/dev/pts/") || !strings.HasSuffix(out, "xterm") {
		t.Errorf("exec -t printed %q, want a pts and TERM=xterm", out)
	}
}

func TestExecDetachedSessions(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "--network", "none", "-d", "--name", "ed", "busybox", "sleep", "1000")

	id := env.MustBerth(t, "exec", "-d", "ed", "sh", "-c", "echo started > /tmp/marker; sleep 1000")
	if len(id) != 64 {
		t.Fatalf("exec -d printed %q, want a session ID", id)
	}
	WaitFor(t, 20*time.Second, func() bool {
		return env.Berth("exec", "ed", "cat", "/tmp/marker").Stdout() == "started\n"
	})
	if ids := execIDs(t, env, "ed"); len(ids) != 1 || ids[0] != id {
		t.Fatalf("ExecIDs = %v, want [%s]", ids, id)
	}
	// Stopping the container ends its sessions and forgets them.
	env.MustBerth(t, "stop", "-t", "0", "ed")
	if ids := execIDs(t, env, "ed"); len(ids) != 0 {
		t.Fatalf("ExecIDs after stop = %v, want none", ids)
	}
	// The container starts again cleanly and takes new sessions.
	env.MustBerth(t, "start", "ed")
	if out := env.MustBerth(t, "exec", "ed", "echo", "again"); out != "again" {
		t.Fatalf("exec after restart: %q", out)
	}
	env.MustBerth(t, "rm", "-f", "-t", "0", "ed")
}

func TestExecTerminal(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "--network", "none", "-d", "--name", "et", "busybox", "sleep", "1000")

	s := startTTY(t, env, 30, 90, "exec", "-it", "et", "sh")
	s.expect("# ")
	s.send("stty size; echo $TERM\r")
	s.expect("30 90")
	s.expect("xterm")
	s.resize(40, 120)
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(s.output(), "40 120") {
		if time.Now().After(deadline) {
			t.Fatalf("exec session never saw the new size; terminal shows:\n%q", s.output())
		}
		s.send("stty size\r")
		time.Sleep(100 * time.Millisecond)
	}
	// ^C goes to the foreground job of the session's own terminal.
	// The quotes keep the echo of the typed line from matching "armed".
	s.send(`sh -c 'trap "echo exec-int; exit 9" INT; echo ar""med; while :; do sleep 1; done'; echo status=$?` + "\r")
	s.expect("armed")
	s.send(keyCtrlC)
	s.expect("status=9")
	s.send("exit 4\r")
	if code := s.wait(); code != 4 {
		t.Fatalf("exec -it exit code = %d, want 4; output:\n%q", code, s.output())
	}

	// Detaching leaves the session running and recorded.
	d := startTTY(t, env, 24, 80, "exec", "-it", "et", "sh")
	d.expect("# ")
	d.send("echo in-session\r")
	d.expect("in-session")
	d.send(keyCtrlP + keyCtrlQ)
	if code := d.wait(); code != 0 {
		t.Fatalf("exec detach: exit code %d, want 0; output:\n%q", code, d.output())
	}
	if ids := execIDs(t, env, "et"); len(ids) != 1 {
		t.Fatalf("ExecIDs after detaching = %v, want the detached session", ids)
	}
	env.MustBerth(t, "rm", "-f", "-t", "0", "et")
}

// randomFile writes n random bytes under dir and returns its path and the
// hex sha256 of its content.
func randomFile(t testing.TB, dir string, n int64) (string, string) {
	t.Helper()
	p := filepath.Join(dir, "random.bin")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.CopyN(io.MultiWriter(f, h), rand.Reader, n); err != nil {
		t.Fatal(err)
	}
	return p, hex.EncodeToString(h.Sum(nil))
}

// hashOutput runs berth with stdin from in (may be nil) and returns the
// sha256 and size of its stdout, its stderr and its exit code, without
// holding the whole output in memory.
func hashOutput(t testing.TB, env *Env, in io.Reader, args ...string) (sum string, size int64, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*DefaultTimeout)
	defer cancel()
	cmd := env.Command(ctx, args...)
	cmd.Stdin = in
	var errBuf strings.Builder
	cmd.Stderr = &errBuf
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	size, _ = io.Copy(h, out)
	err = cmd.Wait()
	code = 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("berth %v: %v", args, err)
	}
	return hex.EncodeToString(h.Sum(nil)), size, errBuf.String(), code
}

func TestExecAndRunPipes(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	const size = 32 << 20
	data, sum := randomFile(t, env.TmpDir, size)
	env.MustBerth(t, "run", "--network", "none", "-d", "--name", "pp", "-v", data+":/data/random.bin:ro", "busybox", "sleep", "1000")

	check := func(what string, gotSum string, gotSize int64, stderr string, code int) {
		t.Helper()
		if code != 0 || gotSum != sum || gotSize != size {
			t.Errorf("%s: %d bytes sha256 %s exit %d, want %d bytes %s exit 0; stderr:\n%s", what, gotSize, gotSum, code, size, sum, stderr)
		}
	}
	// Output: tens of MB out of the container, byte for byte.
	s, n, e, c := hashOutput(t, env, nil, "exec", "pp", "cat", "/data/random.bin")
	check("exec cat", s, n, e, c)
	s, n, e, c = hashOutput(t, env, nil, "run", "--network", "none", "--rm", "-v", data+":/data/random.bin:ro", "busybox", "cat", "/data/random.bin")
	check("run cat", s, n, e, c)
	// stderr is its own stream.
	s, n, e, c = hashOutput(t, env, nil, "exec", "pp", "sh", "-c", "cat /data/random.bin >&2")
	if c != 0 || n != 0 || e == "" {
		t.Errorf("exec to stderr: stdout %d bytes (%s), stderr %d bytes, exit %d", n, s, len(e), c)
	}

	// Input: the same data streamed in through stdin and back out.
	for _, args := range [][]string{
		{"exec", "-i", "pp", "cat"},
		{"run", "--network", "none", "--rm", "-i", "busybox", "cat"},
	} {
		f, err := os.Open(data)
		if err != nil {
			t.Fatal(err)
		}
		s, n, e, c = hashOutput(t, env, f, args...)
		f.Close()
		check(strings.Join(args, " ")+" < data", s, n, e, c)
	}
	// EOF on stdin reaches the process: it exits with its own status.
	if r := env.BerthStdin(strings.NewReader("hi\n"), "run", "--network", "none", "--rm", "-i", "busybox", "sh", "-c", "cat; exit 3"); r.ExitCode() != 3 || r.Stdout() != "hi\n" {
		t.Errorf("run -i: %s", r)
	}
	if r := env.BerthStdin(strings.NewReader("hi\n"), "exec", "-i", "pp", "sh", "-c", "cat; exit 6"); r.ExitCode() != 6 || r.Stdout() != "hi\n" {
		t.Errorf("exec -i: %s", r)
	}
	// Without -i the process does not get our stdin.
	if r := env.BerthStdin(strings.NewReader("hi\n"), "exec", "pp", "cat"); r.ExitCode() != 0 || r.Stdout() != "" {
		t.Errorf("exec without -i: %s", r)
	}
	env.MustBerth(t, "rm", "-f", "-t", "0", "pp")
}

func TestRunAttachStreams(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	script := "cat; echo to-out; echo to-err >&2"
	cases := []struct {
		args           []string
		stdout, stderr string
	}{
		{[]string{"-i"}, "in\nto-out\n", "to-err\n"},
		{[]string{"-i", "-a", "stdout"}, "in\nto-out\n", ""},
		{[]string{"-i", "-a", "stderr"}, "", "to-err\n"},
		{[]string{"-a", "stdin", "-a", "stdout", "-i"}, "in\nto-out\n", ""},
		{[]string{"-a", "stdout"}, "to-out\n", ""}, // no -i: cat reads nothing
	}
	for _, c := range cases {
		args := append(append([]string{"run", "--network", "none", "--rm"}, c.args...), "busybox", "sh", "-c", script)
		r := env.BerthStdin(strings.NewReader("in\n"), args...)
		if r.ExitCode() != 0 || r.Stdout() != c.stdout || r.Stderr() != c.stderr {
			t.Errorf("run %v: stdout %q stderr %q exit %d, want %q %q 0", c.args, r.Stdout(), r.Stderr(), r.ExitCode(), c.stdout, c.stderr)
		}
	}
	if r := env.Berth("run", "--network", "none", "--rm", "-a", "stdxx", "busybox", "true"); r.ExitCode() != 125 {
		t.Errorf("run -a stdxx: %s", r)
	}
}

func TestRunSigProxy(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	run := func(name string, extra ...string) (*exec.Cmd, *pbSyncBuffer, context.CancelFunc) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*DefaultTimeout)
		args := append(append([]string{"run", "--network", "none", "--rm", "--name", name}, extra...), "busybox", "sh", "-c",
			`trap 'echo got-usr1; exit 4' USR1; trap 'echo got-usr2; exit 5' USR2; echo ready; while :; do sleep 1; done`)
		cmd := env.Command(ctx, args...)
		out := &pbSyncBuffer{}
		cmd.Stdout = out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		WaitFor(t, 30*time.Second, func() bool { return strings.Contains(out.String(), "ready") })
		return cmd, out, cancel
	}
	exitCode := func(err error) int {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatalf("berth run: %v", err)
		}
		return 0
	}

	// By default a signal to berth goes to the container's process.
	cmd, out, cancel := run("sp")
	defer cancel()
	_ = cmd.Process.Signal(syscall.SIGUSR1)
	if code := exitCode(cmd.Wait()); code != 4 || !strings.Contains(out.String(), "got-usr1") {
		t.Errorf("run with signal proxy: output %q exit %d, want got-usr1 and 4", out.String(), code)
	}

	// --sig-proxy=false: berth keeps it (and ignores it); the container
	// only gets what is sent to it directly.
	cmd, out, cancel2 := run("np", "--sig-proxy=false")
	defer cancel2()
	_ = cmd.Process.Signal(syscall.SIGUSR1)
	env.MustBerth(t, "kill", "-s", "USR2", "np")
	if code := exitCode(cmd.Wait()); code != 5 || strings.Contains(out.String(), "got-usr1") {
		t.Errorf("run --sig-proxy=false: output %q exit %d, want only got-usr2 and 5", out.String(), code)
	}
}

func TestExecEndsWithContainer(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "--network", "none", "-d", "--name", "ew", "busybox", "sleep", "1000")

	ctx, cancel := context.WithTimeout(context.Background(), 2*DefaultTimeout)
	defer cancel()
	cmd := env.Command(ctx, "exec", "ew", "sh", "-c", "echo started; sleep 1000")
	out := &pbSyncBuffer{}
	cmd.Stdout = out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	WaitFor(t, 30*time.Second, func() bool { return strings.Contains(out.String(), "started") })
	env.MustBerth(t, "stop", "-t", "0", "ew")
	// The exec'd process died with the container: SIGKILL's 137.
	var ee *exec.ExitError
	if err := cmd.Wait(); !errors.As(err, &ee) || ee.ExitCode() != 137 {
		t.Fatalf("exec while its container stops: %v, want exit code 137", err)
	}
	if ids := execIDs(t, env, "ew"); len(ids) != 0 {
		t.Fatalf("ExecIDs after stop = %v, want none", ids)
	}
	env.MustBerth(t, "rm", "ew")
}
