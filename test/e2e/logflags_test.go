package e2e

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestLogTagJournald: conmon writes a journald container's lines to the
// journal with --log-opt tag= expanded for the container (docker's and
// podman's keys). The journal is faked: a private mount namespace where
// /run/systemd/journal is a directory holding the test's datagram socket.
func TestLogTagJournald(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	dir := env.TmpDir + "/journal"
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: dir + "/socket", Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var mu sync.Mutex
	var msgs []string
	go func() {
		buf := make([]byte, 1<<16)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return
			}
			mu.Lock()
			msgs = append(msgs, string(buf[:n]))
			mu.Unlock()
		}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), DefaultTimeout)
	defer cancel()
	args := []string{"run", "--rm", "--name", "tagged", "--network", "none", "--log-driver", "journald",
		"--log-opt", "tag={{.Name}}/{{.ImageName}}/{{.ID}}", "busybox", "echo", "to-the-journal"}
	cmd := exec.CommandContext(ctx, "unshare", append([]string{"-m", "--propagation", "private", "sh", "-c",
		`mount -t tmpfs tmpfs /run/systemd && mkdir /run/systemd/journal && mount --bind "$0" /run/systemd/journal && exec "$@"`,
		dir, berthBinary}, env.args(args)...)...)
	cmd.Env = append(os.Environ(), env.Environ...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	if r := runResult(ctx, cmd, args, DefaultTimeout); r.ExitCode() != 0 || !strings.Contains(r.Stdout(), "to-the-journal") {
		t.Fatalf("run --log-driver journald with a fake journal:\n%s", r)
	}
	var entry string
	defer func() {
		if entry == "" {
			mu.Lock()
			t.Logf("journal datagrams: %q", msgs)
			mu.Unlock()
		}
	}()
	WaitFor(t, 10*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, m := range msgs {
			// MESSAGE holds the newline: journald's binary field form.
			if strings.Contains(m, "to-the-journal\n") && strings.Contains(m, "CONTAINER_NAME=tagged\n") {
				entry = m
				return true
			}
		}
		return false
	})
	fields := map[string]string{}
	for _, l := range strings.Split(entry, "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			fields[k] = v
		}
	}
	id := fields["CONTAINER_ID_FULL"]
	want := "tagged/localhost/busybox:latest/" + id
	if len(id) != 64 || fields["CONTAINER_TAG"] != want || fields["CONTAINER_NAME"] != "tagged" {
		t.Errorf("journal entry fields %q: want CONTAINER_TAG %q", fields, want)
	}

	// A template that does not parse or names no key: one line, exit 125.
	for _, tag := range []string{"{{.Name", "{{.Nope}}"} {
		r := env.Berth("create", "--log-driver", "k8s-file", "--log-opt", "tag="+tag, "busybox", "true")
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "--log-opt tag=") {
			t.Errorf("tag %q:\n%s", tag, r)
		}
	}
	if out := env.MustBerth(t, "ps", "-aq"); out != "" {
		t.Errorf("refused creates left containers: %q", out)
	}
}

// TestLogsDetails: logs --details puts docker's extra attributes (the
// labels and variables --log-opt labels=/env=/*-regex= name) before each
// line, after the timestamp; a container without them gets a blank.
func TestLogsDetails(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "--name", "d", "--network", "none", "-l", "app=web", "-l", "tier=db", "-l", "other=x",
		"-e", "FOO=a b", "-e", "BAR_1=z", "--log-opt", "labels=app,missing", "--log-opt", "labels-regex=^ti",
		"--log-opt", "env=FOO", "--log-opt", "env-regex=^BAR_", "busybox", "sh", "-c", "echo one; echo two")
	if out := env.MustBerth(t, "logs", "--details", "d"); out != "BAR_1=z,FOO=a+b,app=web,tier=db one\nBAR_1=z,FOO=a+b,app=web,tier=db two" {
		t.Errorf("logs --details: %q", out)
	}
	out := env.MustBerth(t, "logs", "-t", "--details", "d")
	if f := strings.SplitN(strings.Split(out, "\n")[0], " ", 3); len(f) != 3 || f[1] != "BAR_1=z,FOO=a+b,app=web,tier=db" || f[2] != "one" {
		t.Errorf("logs -t --details: %q", out)
	}
	if out := env.MustBerth(t, "logs", "d"); out != "one\ntwo" {
		t.Errorf("logs without --details: %q", out)
	}
	env.MustBerth(t, "run", "--name", "plain", "--network", "none", "busybox", "echo", "x")
	if r := env.Berth("logs", "--details", "plain"); r.Stdout() != " x\n" {
		t.Errorf("logs --details without attributes: %q", r.Stdout())
	}
	if r := env.Berth("create", "--log-opt", "env-regex=(", "busybox"); r.ExitCode() != 125 {
		t.Errorf("bad env-regex:\n%s", r)
	}
}

// TestWaitInterval: wait --condition looks at the container every
// --interval; a plain wait is woken by the exit itself.
func TestWaitInterval(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "create", "--name", "w", "--network", "none", "busybox", "sleep", "30")
	start := time.Now()
	done := make(chan Result, 1)
	go func() { done <- env.Berth("wait", "--condition", "running", "--interval", "5s", "w") }()
	time.Sleep(time.Second)
	env.MustBerth(t, "start", "w")
	r := <-done
	if r.ExitCode() != 0 || strings.TrimSpace(r.Stdout()) != "-1" {
		t.Fatalf("wait --condition running:\n%s", r)
	}
	if d := time.Since(start); d < 4*time.Second {
		t.Errorf("wait --interval 5s returned after %v: it did not wait for the next look", d)
	}
	env.MustBerth(t, "stop", "-t", "0", "w")
	env.MustBerth(t, "start", "w")
	start = time.Now()
	go func() { done <- env.Berth("wait", "--interval", "10s", "w") }()
	time.Sleep(300 * time.Millisecond)
	env.MustBerth(t, "kill", "w")
	if r := <-done; r.ExitCode() != 0 || time.Since(start) > 5*time.Second {
		t.Errorf("plain wait with --interval 10s took %v:\n%s", time.Since(start), r)
	}
	if r := env.Berth("wait", "--interval", "-1s", "w"); r.ExitCode() != 125 {
		t.Errorf("negative --interval:\n%s", r)
	}
}
