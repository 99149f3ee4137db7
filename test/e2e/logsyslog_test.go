package e2e

import (
	"io"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syslogListener collects the datagrams sent to a UDP port of 127.0.0.1.
type syslogListener struct {
	conn *net.UDPConn
	mu   sync.Mutex
	msgs []string
}

func newSyslogListener(t *testing.T) *syslogListener {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	l := &syslogListener{conn: conn}
	t.Cleanup(func() { conn.Close() })
	go func() {
		buf := make([]byte, 65536)
		for {
			n, _, err := conn.ReadFrom(buf)
			if err != nil {
				return
			}
			l.mu.Lock()
			l.msgs = append(l.msgs, string(buf[:n]))
			l.mu.Unlock()
		}
	}()
	return l
}

func (l *syslogListener) addr() string { return "udp://" + l.conn.LocalAddr().String() }

// matching returns the messages re matches.
func (l *syslogListener) matching(re *regexp.Regexp) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, m := range l.msgs {
		if re.MatchString(m) {
			out = append(out, m)
		}
	}
	return out
}

// waitFor waits until re matches n messages and returns them.
func (l *syslogListener) waitFor(t *testing.T, re *regexp.Regexp, n int) []string {
	t.Helper()
	deadline := time.Now().Add(paWaitTimeout)
	for time.Now().Before(deadline) {
		if got := l.matching(re); len(got) >= n {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	t.Fatalf("%d messages matching %s not received; got %q", n, re, l.msgs)
	return nil
}

// syslogForwarders returns the PIDs of syslog forwarders sending to addr.
func syslogForwarders(addr string) []int {
	ents, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		comm, _ := os.ReadFile("/proc/" + e.Name() + "/comm")
		cmdline, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if strings.TrimSpace(string(comm)) == "syslog-fwd" && strings.Contains(string(cmdline), strings.TrimPrefix(addr, "udp://")) && !isZombie(pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// TestLogSyslog: --log-driver syslog sends each line of stdout (severity
// info) and stderr (err) as docker does, rfc3164 by default with the
// tag template, rfc5424 with the short ID as the default tag; a restart
// sends again, as does a restart policy's; logs is refused with docker's words; the forwarder ends
// with the container (rm, and a killed conmon).
func TestLogSyslog(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	l := newSyslogListener(t)
	env.MustBerth(t, "run", "-d", "--name", "sl", "--log-driver", "syslog", "--log-opt", "syslog-address="+l.addr(),
		"--log-opt", "syslog-facility=local3", "--log-opt", "tag=app-{{.Name}}",
		"busybox", "sh", "-c", "echo out1; echo err1 >&2")
	// local3 (19): stdout <158> (info), stderr <155> (err).
	stamp := `[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d`
	l.waitFor(t, regexp.MustCompile(`^<158>`+stamp+` app-sl\[\d+\]: out1\n$`), 1)
	l.waitFor(t, regexp.MustCompile(`^<155>`+stamp+` app-sl\[\d+\]: err1\n$`), 1)
	if got := env.MustBerth(t, "wait", "sl"); got != "0" {
		t.Errorf("wait: %q", got)
	}
	// start -a: nothing to attach to, it waits for the exit.
	if r := env.Berth("start", "-a", "sl"); r.ExitCode() != 0 || r.Stdout() != "" {
		t.Errorf("start -a of a syslog container:\n%s", r)
	}
	l.waitFor(t, regexp.MustCompile(`app-sl\[\d+\]: out1\n$`), 2)
	l.waitFor(t, regexp.MustCompile(`app-sl\[\d+\]: err1\n$`), 2)
	paExpectError(t, env.Berth("logs", "sl"), 125, "configured logging driver does not support reading")
	if got := paInspect(t, env, "sl", "{{.HostConfig.LogConfig.Type}} {{index .HostConfig.LogConfig.Config \"syslog-facility\"}}"); got != "syslog local3" {
		t.Errorf("LogConfig = %q", got)
	}

	// A restart policy's restarts (by conmon's exit command) log too.
	env.MustBerth(t, "run", "-d", "--name", "rs", "--restart", "on-failure:2", "--log-driver", "syslog", "--log-opt", "syslog-address="+l.addr(),
		"--log-opt", "tag={{.Name}}", "busybox", "sh", "-c", "echo again; exit 1")
	l.waitFor(t, regexp.MustCompile(`rs\[\d+\]: again\n$`), 3)

	host, _ := os.Hostname()
	id := env.MustBerth(t, "run", "-d", "--log-driver", "syslog", "--log-opt", "syslog-address="+l.addr(), "--log-opt", "syslog-format=rfc5424",
		"busybox", "sh", "-c", "echo five; echo four >&2")
	short := regexp.QuoteMeta(id[:12])
	ts := `\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)`
	// daemon (3): <30> and <27>; APP-NAME and MSGID are the tag.
	l.waitFor(t, regexp.MustCompile(`^<30>1 `+ts+` `+regexp.QuoteMeta(host)+` `+short+` \d+ `+short+` - five\n$`), 1)
	l.waitFor(t, regexp.MustCompile(`^<27>1 `+ts+` `+regexp.QuoteMeta(host)+` `+short+` \d+ `+short+` - four\n$`), 1)

	env.MustBerth(t, "run", "-d", "--name", "f3164", "--log-driver", "syslog", "--log-opt", "syslog-address="+l.addr(),
		"--log-opt", "syslog-format=rfc3164", "--log-opt", "syslog-facility=1", "--log-opt", "tag=t3164",
		"busybox", "sh", "-c", "echo up; exec sleep 600")
	l.waitFor(t, regexp.MustCompile(`^<14>`+stamp+` `+regexp.QuoteMeta(host)+` t3164\[\d+\]: up\n$`), 1)
	if n := len(syslogForwarders(l.addr())); n != 1 {
		t.Errorf("%d forwarders run for the one running container, want 1", n)
	}
	env.MustBerth(t, "rm", "-f", "-t", "0", "f3164")
	WaitFor(t, 10*time.Second, func() bool { return len(syslogForwarders(l.addr())) == 0 })

	// A killed conmon: the next command ends the container, and with it
	// the forwarder.
	kid := env.MustBerth(t, "run", "-d", "--log-driver", "syslog", "--log-opt", "syslog-address="+l.addr(), "busybox", "sleep", "600")
	conmon, err := strconv.Atoi(paInspect(t, env, kid, "{{.State.ConmonPid}}"))
	if err != nil || conmon <= 0 {
		t.Fatalf("conmon PID: %v", err)
	}
	if err := syscall.Kill(conmon, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	WaitFor(t, 10*time.Second, func() bool { return syscall.Kill(conmon, 0) != nil || isZombie(conmon) })
	env.MustBerth(t, "ps", "-a")
	WaitFor(t, 10*time.Second, func() bool { return len(syslogForwarders(l.addr())) == 0 })
}

// TestLogSyslogTCP: over TCP each message ends in a newline (the
// framing docker's driver sends); a server that refuses the connection
// fails the start with the reason.
func TestLogSyslogTCP(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		b, _ := io.ReadAll(conn)
		got <- string(b)
	}()
	env.MustBerth(t, "run", "-d", "--name", "tc", "--log-driver", "syslog", "--log-opt", "syslog-address=tcp://"+ln.Addr().String(),
		"--log-opt", "syslog-facility=user", "--log-opt", "tag=tc", "busybox", "sh", "-c", "echo one; echo two >&2; echo three")
	select {
	case s := <-got:
		re := regexp.MustCompile(`^(<1[14]>[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d tc\[\d+\]: (one|two|three)\n){3}$`)
		if !re.MatchString(s) || !strings.Contains(s, "<14>") || !strings.Contains(s, ": two\n") || strings.Index(s, "one") > strings.Index(s, "three") {
			t.Errorf("received over TCP: %q", s)
		}
	case <-time.After(paWaitTimeout):
		t.Fatal("nothing received over TCP before the connection closed")
	}
	addr := ln.Addr().String()
	ln.Close()
	paExpectError(t, env.Berth("run", "-d", "--log-driver", "syslog", "--log-opt", "syslog-address=tcp://"+addr, "busybox", "true"), 125, "log driver syslog: dial tcp "+addr)
}

// TestLogSyslogRefused: bad syslog options, a missing local socket and a
// terminal are refused with one clear line before anything is created.
func TestLogSyslogRefused(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	cases := [][]string{
		{"--log-opt", "syslog-address=tcp+tls://127.0.0.1:6514", "syslog over TLS is not supported"},
		{"--log-opt", "syslog-address=http://x", "unsupported scheme http"},
		{"--log-opt", "syslog-address=unix:///nonexistent/log", "no syslog socket at /nonexistent/log"},
		{"--log-opt", "syslog-facility=nope", "syslog-facility=nope: unknown facility"},
		{"--log-opt", "syslog-facility=24", "syslog-facility=24: unknown facility"},
		{"--log-opt", "syslog-format=json", "syslog-format=json: must be rfc3164, rfc5424 or rfc5424micro"},
		{"--log-opt", "syslog-tls-cert=/x", "syslog over TLS"},
		{"--log-opt", "tag={{.Nope}}", "--log-opt tag="},
		{"-t", "--log-opt", "syslog-address=udp://127.0.0.1:9", "cannot be used with a terminal"},
	}
	if _, err := os.Stat("/dev/log"); err != nil {
		cases = append(cases, []string{"no syslog socket at /dev/log"})
	}
	for _, c := range cases {
		args := append(append([]string{"create", "--log-driver", "syslog"}, c[:len(c)-1]...), "busybox", "true")
		paExpectError(t, env.Berth(args...), 125, c[len(c)-1])
	}
	paExpectError(t, env.Berth("create", "--log-opt", "syslog-address=udp://127.0.0.1:9", "busybox"), 125, "only the syslog log driver takes syslog-address")
	if names := paPsNames(t, env); len(names) != 0 {
		t.Errorf("containers left by refused creates: %v", names)
	}
}

// TestLogSyslogAPI: docker's HostConfig.LogConfig of type syslog, and
// libpod's log_configuration, take the same way through the API; docker
// logs is refused as docker's.
func TestLogSyslogAPI(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	d := newDockerCLI(t, apiService(t, env))
	l := newSyslogListener(t)
	d.must("run", "-d", "--name", "as", "--log-driver", "syslog", "--log-opt", "syslog-address="+l.addr(), "--log-opt", "tag={{.Name}}",
		"busybox", "sh", "-c", "echo apiout; echo apierr >&2")
	l.waitFor(t, regexp.MustCompile(`^<30>.* as\[\d+\]: apiout\n$`), 1)
	l.waitFor(t, regexp.MustCompile(`^<27>.* as\[\d+\]: apierr\n$`), 1)
	if _, errOut, code := d.run("logs", "as"); code == 0 || !strings.Contains(errOut, "configured logging driver does not support reading") {
		t.Errorf("docker logs of a syslog container: exit %d, %q", code, errOut)
	}
	if got := d.must("inspect", "--format", "{{.HostConfig.LogConfig.Type}}", "as"); got != "syslog" {
		t.Errorf("LogConfig.Type = %q", got)
	}
	// An attached run: the streams go to syslog, the exit code comes back.
	if out, errOut, code := d.run("run", "--log-driver", "syslog", "--log-opt", "syslog-address="+l.addr(), "--log-opt", "tag=att",
		"busybox", "sh", "-c", "echo attached; exit 3"); code != 3 || out != "" {
		t.Errorf("docker run attached: exit %d, %q, %q", code, out, errOut)
	}
	l.waitFor(t, regexp.MustCompile(` att\[\d+\]: attached\n$`), 1)
	// The libpod API's log_configuration, through podman.
	p := newPodmanCLI(t, d.uri)
	p.must("run", "-d", "--name", "ps", "--log-driver", "syslog", "--log-opt", "syslog-address="+l.addr(), "--log-opt", "syslog-format=rfc5424",
		"--log-opt", "tag=pod-{{.Name}}", "busybox", "sh", "-c", "echo libpod")
	l.waitFor(t, regexp.MustCompile(`^<30>1 .* pod-ps \d+ pod-ps - libpod\n$`), 1)
	d.must("rm", "-f", "as", "ps")
	WaitFor(t, 10*time.Second, func() bool { return len(syslogForwarders(l.addr())) == 0 })
}

// TestLogSyslogFaults: the CLI, conmon or the container's init killed
// while a syslog container starts leaves no forwarder once the next
// command ran, and nothing system check reports.
func TestLogSyslogFaults(t *testing.T) {
	t.Parallel()
	for _, fault := range []string{"init-created", "start-started", "init-created:conmon", "start:conmon", "start-started:init"} {
		t.Run(strings.ReplaceAll(fault, ":", "_"), func(t *testing.T) {
			env := paNewBusybox(t)
			l := newSyslogListener(t)
			faulty := *env
			faulty.Environ = append(append([]string{}, env.Environ...), "BERTH_FAULT="+fault)
			r := faulty.Berth("run", "-d", "--name", "c", "--network", "none", "--log-driver", "syslog", "--log-opt", "syslog-address="+l.addr(),
				"busybox", "sleep", "600")
			t.Logf("faulted %s: exit %d", fault, r.ExitCode())
			faultCheckClean(t, env)
			env.MustBerth(t, "rm", "-f", "-t", "0", "c")
			WaitFor(t, 10*time.Second, func() bool { return len(syslogForwarders(l.addr())) == 0 })
		})
	}
}
