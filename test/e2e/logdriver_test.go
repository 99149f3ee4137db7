package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestLogMaxSize: --log-opt max-size caps the k8s-file log as podman's
// does (conmon starts it afresh), `logs` shows the newest lines, and a
// `logs -f` that began before the file was replaced follows into the new
// one to the last line. inspect shows the options.
func TestLogMaxSize(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	goFile := filepath.Join(env.TmpDir, "go")
	if err := os.WriteFile(goFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	env.MustBerth(t, "run", "-d", "--name", "big", "--log-opt", "max-size=10kb", "--log-opt", "max-file=2", "--log-opt", "tag=bigtag",
		"busybox", "sh", "-c", "echo ready; while [ ! -e /go ]; do sleep 0.1; done; seq 1 20000")
	out, done := lrFollow(t, env, "big")
	WaitFor(t, 20*time.Second, func() bool { return strings.Contains(out.String(), "ready\n") })
	env.MustBerth(t, "cp", goFile, "big:/go")
	select {
	case <-done:
	case <-time.After(paWaitTimeout):
		t.Fatal("logs -f did not end with the container")
	}
	if !strings.HasSuffix(out.String(), "\n20000\n") {
		tail := out.String()
		t.Errorf("logs -f across the log's replacement ends with %q, want the last line 20000", tail[max(0, len(tail)-100):])
	}

	logPath := paInspect(t, env, "big", "{{.HostConfig.LogConfig.Path}}")
	st, err := os.Stat(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() > 20_000 {
		t.Errorf("log file is %d bytes with max-size=10kb", st.Size())
	}
	lines := strings.Fields(env.MustBerth(t, "logs", "big"))
	if len(lines) == 0 || lines[len(lines)-1] != "20000" || len(lines) >= 20000 {
		t.Errorf("logs after the cap: %d lines ending %v, want fewer than 20000 ending 20000", len(lines), lines[max(0, len(lines)-1):])
	}
	if n, err := strconv.Atoi(lines[0]); err != nil || n < 19000 {
		t.Errorf("oldest kept line %q, want one of the last thousand", lines[0])
	}
	got := paInspect(t, env, "big", "{{.HostConfig.LogConfig.Type}} {{.HostConfig.LogConfig.Size}} {{.HostConfig.LogConfig.Tag}} {{index .HostConfig.LogConfig.Config \"max-file\"}}")
	if got != "k8s-file 10kb bigtag 2" {
		t.Errorf("LogConfig = %q", got)
	}
}

// TestLogDrivers: passthrough hands the container this process's stdio
// (run prints it, logs has none); journald is refused with one clear line
// where the journal does not run (this host), and bad options are refused
// before anything is created.
func TestLogDrivers(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	r := env.Berth("run", "--name", "pt", "--log-driver", "passthrough", "busybox", "sh", "-c", "echo out; echo err >&2; exit 3")
	if r.ExitCode() != 3 || r.Stdout() != "out\n" || !strings.Contains(r.Stderr(), "err\n") {
		t.Errorf("run --log-driver passthrough:\n%s", r)
	}
	paExpectError(t, env.Berth("logs", "pt"), 125, "log driver passthrough: no logs to read")
	paExpectError(t, env.Berth("run", "-t", "--log-driver", "passthrough", "busybox", "true"), 125, "cannot be used with a terminal")

	if _, err := os.Stat("/run/systemd/journal/socket"); err != nil {
		paExpectError(t, env.Berth("run", "--log-driver", "journald", "busybox", "true"), 125, "the systemd journal is not running")
	}
	for _, tt := range [][]string{
		{"--log-driver", "fluentd"},
		{"--log-opt", "max-size=lots"},
		{"--log-opt", "max-file=0"},
		{"--log-driver", "none", "--log-opt", "max-size=1m"},
	} {
		paExpectError(t, env.Berth(append(append([]string{"create"}, tt...), "busybox")...), 125, "--log-")
	}
	if names := paPsNames(t, env); len(names) != 1 {
		t.Errorf("containers left by refused runs: %v, want only pt", names)
	}
}
