package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestEventsLifecycle checks that each lifecycle verb is recorded with
// podman's event names and shown by `events` as podman shows it.
func TestEventsLifecycle(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	id := env.MustBerth(t, "create", "--name", "ev", "-l", "app=x", "busybox", "sh", "-c", "exit 3")
	env.Berth("start", "-a", "ev")
	env.MustBerth(t, "rename", "ev", "ev2")
	env.MustBerth(t, "run", "-d", "--name", "ev3", "busybox", "sleep", "1000")
	env.MustBerth(t, "pause", "ev3")
	env.MustBerth(t, "unpause", "ev3")
	env.MustBerth(t, "restart", "-t", "0", "ev3")
	env.MustBerth(t, "kill", "ev3")
	WaitFor(t, 20*time.Second, func() bool {
		return strings.Contains(env.MustBerth(t, "ps", "-a", "--format", "{{.Names}} {{.State}}"), "ev3 exited")
	})
	env.MustBerth(t, "rm", "ev2")

	statuses := func(args ...string) string {
		out := env.MustBerth(t, append([]string{"events", "--stream=false", "--format", "{{.Status}}"}, args...)...)
		return strings.Join(strings.Fields(out), " ")
	}
	// cleanup comes from conmon's exit command, asynchronously: it may
	// land after the rename.
	got := statuses("--filter", "container="+id)
	if !strings.HasPrefix(got, "create init start died ") || !strings.HasSuffix(got, " remove") ||
		strings.Count(got, "cleanup") != 1 || strings.Count(got, "rename") != 1 || len(strings.Fields(got)) != 7 {
		t.Errorf("events of ev = %q, want create init start died, cleanup and rename, remove", got)
	}
	got = statuses("--filter", "container=ev3")
	for _, want := range []string{"pause", "unpause", "died", "stop", "restart", "kill"} {
		if !strings.Contains(got, want) {
			t.Errorf("events of ev3 = %q, want %s among them", got, want)
		}
	}

	// JSON, one object per line, podman's keys; labels as attributes.
	out := env.MustBerth(t, "events", "--stream=false", "--format", "json", "--filter", "event=died", "--filter", "label=app=x")
	lines := strings.Split(out, "\n")
	if len(lines) != 1 {
		t.Fatalf("died events of ev: %q", out)
	}
	var ev map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &ev); err != nil {
		t.Fatalf("event line %q: %v", lines[0], err)
	}
	if ev["ID"] != id || ev["Status"] != "died" || ev["Type"] != "container" || ev["ContainerExitCode"] != float64(3) || ev["Name"] != "ev" {
		t.Errorf("died event = %v", ev)
	}
	if attrs, _ := ev["Attributes"].(map[string]any); attrs["app"] != "x" {
		t.Errorf("died event attributes = %v, want the container's labels", ev["Attributes"])
	}

	// podman's default line.
	out = env.MustBerth(t, "events", "--stream=false", "--filter", "container="+id, "--filter", "event=create")
	if !strings.Contains(out, " container create "+id+" (image=localhost/busybox:latest, name=ev, app=x)") {
		t.Errorf("default event line = %q", out)
	}
	// --since / --until bound the time.
	if out := env.MustBerth(t, "events", "--stream=false", "--since", "1h", "--until", "30m"); out != "" {
		t.Errorf("events of an hour ago = %q, want none", out)
	}
	if r := env.Berth("events", "--stream=false", "--filter", "colour=red"); r.ExitCode() != 125 {
		t.Errorf("unknown filter: want 125\n%s", r)
	}
	if r := env.Berth("events", "--stream=false", "--format", "{{.Nope}}"); r.ExitCode() != 125 {
		t.Errorf("bad template: want 125\n%s", r)
	}
}

// TestEventsFollow follows the log (the default) and sees a new
// container's events as they happen.
func TestEventsFollow(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := env.Command(ctx, "events", "--filter", "container=fol", "--format", "{{.Status}}")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var seen []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			mu.Lock()
			seen = append(seen, sc.Text())
			mu.Unlock()
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	env.MustBerth(t, "run", "--name", "fol", "busybox", "true")
	WaitFor(t, 20*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return strings.Contains(strings.Join(seen, " "), "start")
	})
	cancel()
	_ = cmd.Wait()
	<-done
}
