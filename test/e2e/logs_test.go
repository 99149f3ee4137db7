package e2e

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// pbLines splits output into its non-empty lines.
func pbLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// pbSyncBuffer is a bytes.Buffer safe for a writer goroutine and a poller.
type pbSyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *pbSyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *pbSyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestLogsStreamsSeparate(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "create", "--name", "lg", "busybox", "sh", "-c",
		"echo out1; echo err1 >&2; echo out2; echo err2 >&2; echo out3")
	if r := env.Berth("start", "-a", "lg"); r.ExitCode() != 0 {
		t.Fatalf("start -a:\n%s", r)
	}
	r := env.Berth("logs", "lg")
	if r.ExitCode() != 0 {
		t.Fatalf("logs:\n%s", r)
	}
	if got := pbLines(r.Stdout()); !slices.Equal(got, []string{"out1", "out2", "out3"}) {
		t.Errorf("logs stdout = %q, want [out1 out2 out3]", got)
	}
	if got := pbLines(r.Stderr()); !slices.Equal(got, []string{"err1", "err2"}) {
		t.Errorf("logs stderr = %q, want [err1 err2]", got)
	}

	// --tail N: the last N lines of the log, whatever their stream.
	r = env.Berth("logs", "--tail", "1", "lg")
	if n := len(pbLines(r.Stdout())) + len(pbLines(r.Stderr())); r.ExitCode() != 0 || n != 1 {
		t.Errorf("logs --tail 1: %d lines, want 1\n%s", n, r)
	}
	r = env.Berth("logs", "--tail", "0", "lg")
	if r.ExitCode() != 0 || r.Stdout() != "" || r.Stderr() != "" {
		t.Errorf("logs --tail 0: want nothing\n%s", r)
	}
	r = env.Berth("logs", "--tail", "100", "lg")
	if n := len(pbLines(r.Stdout())) + len(pbLines(r.Stderr())); n != 5 {
		t.Errorf("logs --tail 100: %d lines, want all 5\n%s", n, r)
	}

	// By ID and --latest.
	id := env.MustBerth(t, "inspect", "--format", "{{.ID}}", "lg")
	if got := pbLines(env.MustBerth(t, "logs", id[:12])); !slices.Equal(got, []string{"out1", "out2", "out3"}) {
		t.Errorf("logs <short id> = %q", got)
	}
	if got := pbLines(env.MustBerth(t, "logs", "-l")); !slices.Equal(got, []string{"out1", "out2", "out3"}) {
		t.Errorf("logs -l = %q", got)
	}

	if r := env.Berth("logs", "nosuch"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "nosuch") {
		t.Errorf("logs of a missing container: want exit 125 naming it\n%s", r)
	}
}

func TestLogsTail(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "--name", "seq", "busybox", "seq", "1", "10")
	if got := pbLines(env.MustBerth(t, "logs", "--tail", "3", "seq")); !slices.Equal(got, []string{"8", "9", "10"}) {
		t.Errorf("logs --tail 3 = %q, want [8 9 10]", got)
	}
	if got := pbLines(env.MustBerth(t, "logs", "seq")); len(got) != 10 || got[0] != "1" {
		t.Errorf("logs = %q, want 1..10", got)
	}
}

func TestLogsTimestamps(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	before := time.Now().Add(-time.Minute)
	env.MustBerth(t, "run", "--name", "ts", "busybox", "sh", "-c", "echo a; echo b")
	lines := pbLines(env.MustBerth(t, "logs", "-t", "ts"))
	if len(lines) != 2 {
		t.Fatalf("logs -t = %q", lines)
	}
	for i, want := range []string{"a", "b"} {
		ts, text, ok := strings.Cut(lines[i], " ")
		if !ok || text != want {
			t.Errorf("logs -t line %q, want '<timestamp> %s'", lines[i], want)
			continue
		}
		tm, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil {
			t.Errorf("logs -t timestamp %q: %v", ts, err)
		} else if tm.Before(before) || tm.After(time.Now().Add(time.Minute)) {
			t.Errorf("logs -t timestamp %v is not the time the line was written", tm)
		}
	}
}

func TestLogsSinceUntil(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	// The container, not the test, waits between its two lines, so that
	// their timestamps differ.
	env.MustBerth(t, "run", "--name", "su", "busybox", "sh", "-c", "echo early; sleep 1.5; echo late")
	stamps := map[string]time.Time{}
	for _, l := range pbLines(env.MustBerth(t, "logs", "-t", "su")) {
		ts, text, _ := strings.Cut(l, " ")
		tm, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil {
			t.Fatalf("logs -t line %q: %v", l, err)
		}
		stamps[text] = tm
	}
	early, late := stamps["early"], stamps["late"]
	if early.IsZero() || late.IsZero() || !late.After(early.Add(time.Second)) {
		t.Fatalf("timestamps early=%v late=%v", early, late)
	}
	mid := early.Add(late.Sub(early) / 2).UTC().Format(time.RFC3339Nano)

	if got := pbLines(env.MustBerth(t, "logs", "--since", mid, "su")); !slices.Equal(got, []string{"late"}) {
		t.Errorf("logs --since %s = %q, want [late]", mid, got)
	}
	if got := pbLines(env.MustBerth(t, "logs", "--until", mid, "su")); !slices.Equal(got, []string{"early"}) {
		t.Errorf("logs --until %s = %q, want [early]", mid, got)
	}
	past := early.Add(-time.Hour).UTC().Format(time.RFC3339)
	future := late.Add(time.Hour).UTC().Format(time.RFC3339)
	if got := pbLines(env.MustBerth(t, "logs", "--since", past, "--until", future, "su")); !slices.Equal(got, []string{"early", "late"}) {
		t.Errorf("logs --since %s --until %s = %q, want both", past, future, got)
	}
	if got := env.MustBerth(t, "logs", "--since", future, "su"); got != "" {
		t.Errorf("logs --since the future = %q, want nothing", got)
	}
	// Unix time and relative durations are accepted too.
	if got := pbLines(env.MustBerth(t, "logs", "--since", "1h", "su")); len(got) != 2 {
		t.Errorf("logs --since 1h = %q, want both lines", got)
	}
	if got := pbLines(env.MustBerth(t, "logs", "--since", strconv.FormatInt(early.Add(-time.Minute).Unix(), 10), "su")); len(got) != 2 {
		t.Errorf("logs --since <unix time> = %q, want both lines", got)
	}
	if r := env.Berth("logs", "--since", "not-a-time", "su"); r.ExitCode() != 125 {
		t.Errorf("logs --since not-a-time: exit %d, want 125", r.ExitCode())
	}
}

func TestLogsRunningContainer(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "-d", "--name", "live", "busybox", "sh", "-c", "echo ready; exec sleep 1000")
	WaitFor(t, 20*time.Second, func() bool {
		return strings.TrimSpace(env.Berth("logs", "live").Stdout()) == "ready"
	})
	// Without -f, logs of a running container returns at once.
	r := env.Berth("logs", "live")
	if r.ExitCode() != 0 || strings.TrimSpace(r.Stdout()) != "ready" {
		t.Errorf("logs of a running container:\n%s", r)
	}
}

func TestLogsFollow(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	// The container prints, then waits for /go (created by the test through
	// the mount point) before printing more and exiting.
	env.MustBerth(t, "run", "-d", "--name", "fw", "busybox", "sh", "-c",
		"echo one; while [ ! -f /go ]; do sleep 0.1; done; echo two; echo two-err >&2")
	mnt := env.MustBerth(t, "mount", "fw")
	t.Cleanup(func() { env.Berth("umount", "fw") })

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var stdout, stderr pbSyncBuffer
	cmd := env.Command(ctx, "logs", "-f", "fw")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	WaitFor(t, 20*time.Second, func() bool { return strings.Contains(stdout.String(), "one") })
	select {
	case err := <-done:
		t.Fatalf("logs -f exited (%v) while the container is still running; stdout %q", err, stdout.String())
	default:
	}
	if err := os.WriteFile(filepath.Join(mnt, "go"), nil, 0o644); err != nil {
		t.Fatalf("create /go through the mount point: %v", err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("logs -f: %v\nstderr: %s", err, stderr.String())
		}
	case <-ctx.Done():
		t.Fatalf("logs -f did not exit when the container exited; stdout %q", stdout.String())
	}
	if got := pbLines(stdout.String()); !slices.Equal(got, []string{"one", "two"}) {
		t.Errorf("logs -f stdout = %q, want [one two]", got)
	}
	if got := pbLines(stderr.String()); !slices.Equal(got, []string{"two-err"}) {
		t.Errorf("logs -f stderr = %q, want [two-err]", got)
	}
	// -f on an exited container prints everything and returns.
	r := env.Berth("logs", "-f", "fw")
	if r.ExitCode() != 0 || !slices.Equal(pbLines(r.Stdout()), []string{"one", "two"}) {
		t.Errorf("logs -f of an exited container:\n%s", r)
	}
}
