package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// healthWait is how long a test waits for a 1s-interval check to reach a
// state: generous, the checks run beside the whole suite on two cores.
const healthWait = 60 * time.Second

// healthSchedulers returns the healthcheck scheduler processes of the
// container with this ID.
func healthSchedulers(env *Env, id string) []proc {
	var out []proc
	for _, p := range processesUnder(env.Dir) {
		argv := strings.Join(p.argv, " ")
		if strings.Contains(argv, "healthcheck scheduler") && strings.HasSuffix(argv, id) {
			out = append(out, p)
		}
	}
	return out
}

type healthJSON struct {
	Status        string
	FailingStreak int
	Log           []struct {
		Start, End time.Time
		ExitCode   int
		Output     string
	}
}

func inspectHealth(t *testing.T, env *Env, name string) *healthJSON {
	t.Helper()
	out := env.MustBerth(t, "inspect", "--format", "{{json .State.Health}}", name)
	if out == "null" {
		return nil
	}
	var h healthJSON
	if err := json.Unmarshal([]byte(out), &h); err != nil {
		t.Fatalf("State.Health %q: %v", out, err)
	}
	return &h
}

// TestHealthcheckHealthy: a passing check turns the container from
// starting to healthy on schedule; inspect shows the log, ps the status
// and the filter, wait --condition healthy returns, events carry
// health_status, and the scheduler goes with stop and rm.
func TestHealthcheckHealthy(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	id := env.MustBerth(t, "run", "-d", "--name", "hc", "--health-cmd", "echo hc-out; test -e /etc/passwd",
		"--health-interval", "1s", "--health-start-period", "0s", "busybox", "sleep", "1000")
	env.MustBerth(t, "run", "-d", "--name", "plain", "busybox", "sleep", "1000")

	if got := env.MustBerth(t, "wait", "--condition", "healthy", "hc"); got != "-1" {
		t.Errorf("wait --condition healthy printed %q, want -1", got)
	}
	h := inspectHealth(t, env, "hc")
	if h == nil || h.Status != "healthy" || h.FailingStreak != 0 || len(h.Log) == 0 {
		t.Fatalf("State.Health = %+v, want healthy with a log", h)
	}
	if l := h.Log[len(h.Log)-1]; l.ExitCode != 0 || l.Output != "hc-out\n" || l.End.Before(l.Start) {
		t.Errorf("last log entry %+v", l)
	}
	if cfg := env.MustBerth(t, "inspect", "--format", "{{json .Config.Healthcheck}}", "hc"); !strings.Contains(cfg, `"Test":["CMD-SHELL","echo hc-out; test -e /etc/passwd"]`) ||
		!strings.Contains(cfg, `"Interval":1000000000`) || !strings.Contains(cfg, `"Retries":3`) {
		t.Errorf("Config.Healthcheck = %s", cfg)
	}
	if inspectHealth(t, env, "plain") != nil {
		t.Error("a container without a check has State.Health")
	}
	if ps := env.MustBerth(t, "ps", "--format", "{{.Names}} {{.Status}}", "--filter", "name=hc"); !strings.HasSuffix(ps, "(healthy)") {
		t.Errorf("ps status = %q, want it to end in (healthy)", ps)
	}
	for filter, want := range map[string]string{"health=healthy": "hc", "health=none": "plain", "health=unhealthy": ""} {
		if got := env.MustBerth(t, "ps", "--format", "{{.Names}}", "--filter", filter); got != want {
			t.Errorf("ps --filter %s = %q, want %q", filter, got, want)
		}
	}
	if r := env.Berth("ps", "--filter", "health=bogus"); r.ExitCode() != 125 {
		t.Errorf("ps --filter health=bogus: want exit 125\n%s", r)
	}
	if r := env.Berth("healthcheck", "run", "hc"); r.ExitCode() != 0 || r.Stdout() != "" {
		t.Errorf("healthcheck run on a healthy container: want exit 0, no output\n%s", r)
	}
	ev := env.MustBerth(t, "events", "--stream=false", "--filter", "event=health_status", "--format", "{{.Name}} {{.HealthStatus}}")
	if !strings.Contains(ev, "hc healthy") {
		t.Errorf("events health_status:\n%s", ev)
	}
	if ev := env.MustBerth(t, "events", "--stream=false", "--filter", "event=exec"); ev != "" {
		t.Errorf("health checks logged exec events:\n%s", ev)
	}
	if len(healthSchedulers(env, id)) != 1 {
		t.Errorf("want one scheduler process for the running container, have %v", healthSchedulers(env, id))
	}

	env.MustBerth(t, "stop", "-t", "0", "hc")
	WaitFor(t, 15*time.Second, func() bool { return len(healthSchedulers(env, id)) == 0 })
	if r := env.Berth("healthcheck", "run", "hc"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "not running") {
		t.Errorf("healthcheck run on a stopped container: want exit 125\n%s", r)
	}
	// A new run starts a new scheduler; rm -f ends it.
	env.MustBerth(t, "start", "hc")
	WaitFor(t, 15*time.Second, func() bool { return len(healthSchedulers(env, id)) == 1 })
	env.MustBerth(t, "rm", "-f", "-t", "0", "hc")
	WaitFor(t, 15*time.Second, func() bool { return len(healthSchedulers(env, id)) == 0 })

	// An attached --rm run that exits on its own takes its scheduler
	// along.
	cid := filepath.Join(env.TmpDir, "cid")
	env.MustBerth(t, "run", "--rm", "--cidfile", cid, "--health-cmd", "true", "--health-interval", "1s", "busybox", "sleep", "2")
	b, err := os.ReadFile(cid)
	if err != nil {
		t.Fatal(err)
	}
	WaitFor(t, 15*time.Second, func() bool { return len(healthSchedulers(env, strings.TrimSpace(string(b)))) == 0 })
}

// TestHealthcheckUnhealthyActions: a failing check makes the container
// unhealthy after --health-retries failures, and --health-on-failure kill
// stops it; restart brings it back up with a fresh check.
func TestHealthcheckUnhealthyActions(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	kill := env.MustBerth(t, "run", "-d", "--name", "k", "--health-cmd", "echo bad >&2; exit 3", "--health-interval", "1s",
		"--health-retries", "2", "--health-on-failure", "kill", "busybox", "sleep", "1000")
	WaitFor(t, healthWait, func() bool {
		return env.MustBerth(t, "inspect", "--format", "{{.State.Status}}", "k") == "exited"
	})
	h := inspectHealth(t, env, "k")
	if h == nil || h.Status != "unhealthy" || h.FailingStreak < 2 {
		t.Fatalf("State.Health after kill = %+v, want unhealthy with a streak of 2 or more", h)
	}
	if l := h.Log[len(h.Log)-1]; l.ExitCode != 3 || l.Output != "bad\n" {
		t.Errorf("last log entry %+v, want exit 3 and its stderr", l)
	}
	if code := env.MustBerth(t, "inspect", "--format", "{{.State.ExitCode}}", "k"); code != "137" {
		t.Errorf("killed container's exit code %s, want 137", code)
	}
	WaitFor(t, 15*time.Second, func() bool { return len(healthSchedulers(env, kill)) == 0 })

	// restart: the container runs again, its health reset to starting.
	flag := filepath.Join(env.TmpDir, "fail")
	if err := os.WriteFile(flag, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	env.MustBerth(t, "run", "-d", "--name", "r", "-v", env.TmpDir+":/flags", "--stop-timeout", "1",
		"--health-cmd", "test ! -e /flags/fail", "--health-interval", "1s", "--health-retries", "1",
		"--health-on-failure", "restart", "busybox", "sleep", "1000")
	firstStart := env.MustBerth(t, "inspect", "--format", "{{.State.StartedAt}}", "r")
	WaitFor(t, healthWait, func() bool {
		return env.MustBerth(t, "inspect", "--format", "{{.State.StartedAt}}", "r") != firstStart
	})
	if err := os.Remove(flag); err != nil {
		t.Fatal(err)
	}
	WaitFor(t, healthWait, func() bool {
		h := inspectHealth(t, env, "r")
		return h != nil && h.Status == "healthy"
	})
	if st := env.MustBerth(t, "inspect", "--format", "{{.State.Status}}", "r"); st != "running" {
		t.Errorf("restarted container is %s", st)
	}
	ev := env.MustBerth(t, "events", "--stream=false", "--filter", "container=r", "--filter", "event=restart")
	if !strings.Contains(ev, "restart") {
		t.Errorf("no restart event:\n%s", ev)
	}
}

// TestHealthcheckRunAndDisable: healthcheck run's exit codes, interval
// disable (checks only on demand), --no-healthcheck over the image's
// HEALTHCHECK, and the image's check used otherwise.
func TestHealthcheckRunAndDisable(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	bb, err := os.ReadFile(busyboxTar)
	if err != nil {
		t.Fatal(err)
	}
	layout := rgWriteLayout(t, filepath.Join(env.TmpDir, "hcimg"), "hcimg", rgLayout{
		layers: [][]byte{bb},
		config: map[string]any{
			"Cmd":         []string{"sleep", "1000"},
			"Env":         []string{"PATH=/bin"},
			"Healthcheck": map[string]any{"Test": []string{"CMD-SHELL", "echo from-image"}, "Interval": int64(time.Second), "Retries": 2},
		},
	})
	env.MustBerth(t, "pull", "-q", "oci:"+layout)

	env.MustBerth(t, "run", "-d", "--name", "img", "hcimg")
	if got := env.MustBerth(t, "wait", "--condition", "healthy", "img"); got != "-1" {
		t.Errorf("wait --condition healthy on the image's check = %q", got)
	}
	if h := inspectHealth(t, env, "img"); h == nil || h.Log[len(h.Log)-1].Output != "from-image\n" {
		t.Errorf("the image's HEALTHCHECK did not run: %+v", h)
	}
	if got := env.MustBerth(t, "inspect", "--format", "{{json .Healthcheck}}", "--type", "image", "hcimg"); !strings.Contains(got, "from-image") {
		t.Errorf("image inspect Healthcheck = %s", got)
	}
	env.MustBerth(t, "run", "-d", "--name", "nohc", "--no-healthcheck", "hcimg")
	if h := inspectHealth(t, env, "nohc"); h != nil {
		t.Errorf("--no-healthcheck container has State.Health %+v", h)
	}
	if r := env.Berth("healthcheck", "run", "nohc"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "has no defined healthcheck") {
		t.Errorf("healthcheck run without a check: want exit 125\n%s", r)
	}
	if r := env.Berth("healthcheck", "run", "nosuch"); r.ExitCode() != 125 {
		t.Errorf("healthcheck run on no container: want exit 125\n%s", r)
	}

	// interval disable: no scheduler; checks run when asked.
	id := env.MustBerth(t, "run", "-d", "--name", "manual", "--health-cmd", "test -e /tmp/ok", "--health-interval", "disable",
		"--health-retries", "1", "busybox", "sleep", "1000")
	if p := healthSchedulers(env, id); len(p) != 0 {
		t.Errorf("interval disable started a scheduler: %v", p)
	}
	if h := inspectHealth(t, env, "manual"); h == nil || h.Status != "starting" || len(h.Log) != 0 {
		t.Errorf("before any run: %+v, want starting with no log", h)
	}
	if r := env.Berth("healthcheck", "run", "manual"); r.ExitCode() != 1 || strings.TrimSpace(r.Stdout()) != "unhealthy" {
		t.Errorf("a failing healthcheck run: want exit 1 and unhealthy\n%s", r)
	}
	if h := inspectHealth(t, env, "manual"); h == nil || h.Status != "unhealthy" || h.FailingStreak != 1 {
		t.Errorf("after a failed run: %+v", h)
	}
	env.MustBerth(t, "exec", "manual", "touch", "/tmp/ok")
	if r := env.Berth("healthcheck", "run", "manual"); r.ExitCode() != 0 {
		t.Errorf("a passing healthcheck run: want exit 0\n%s", r)
	}
	if h := inspectHealth(t, env, "manual"); h == nil || h.Status != "healthy" || h.FailingStreak != 0 || len(h.Log) != 2 {
		t.Errorf("after a passing run: %+v", h)
	}
	if r := env.Berth("run", "--rm", "--health-cmd", "true", "--health-interval", "10ms", "busybox", "true"); r.ExitCode() != 125 ||
		!strings.Contains(r.Stderr(), "at least 1 second") {
		t.Errorf("an interval below a second: want exit 125\n%s", r)
	}
}

// TestHealthcheckTimeout: a check that outlives its timeout
// fails; wait --condition unhealthy returns once the streak is long
// enough.
func TestHealthcheckTimeout(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "-d", "--name", "slow", "--health-cmd", "sleep 30", "--health-timeout", "1s",
		"--health-interval", "1s", "--health-retries", "1", "busybox", "sleep", "1000")
	ctx, cancel := context.WithTimeout(context.Background(), healthWait)
	defer cancel()
	out, err := env.Command(ctx, "wait", "--condition", "unhealthy", "slow").Output()
	if err != nil || strings.TrimSpace(string(out)) != "-1" {
		t.Fatalf("wait --condition unhealthy: %v, %q", err, out)
	}
	h := inspectHealth(t, env, "slow")
	if l := h.Log[len(h.Log)-1]; l.ExitCode != -1 || !strings.Contains(l.Output, "exceeded timeout") {
		t.Errorf("timed-out check logged %+v", l)
	}
	if r := env.Berth("wait", "--condition", "healthy", "nosuch"); r.ExitCode() == 0 {
		t.Errorf("wait on no container succeeded\n%s", r)
	}
}

// TestAPIDockerHealthcheck: docker run --health-cmd through the API, then
// docker inspect's State.Health and docker ps's status; and compose's
// depends_on condition service_healthy.
func TestAPIDockerHealthcheck(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	uri := apiService(t, env)
	d := newDockerCLI(t, uri)
	d.must("run", "-d", "--name", "dhc", "--health-cmd", "echo api-check", "--health-interval", "1s", "--health-retries", "2", "busybox", "sleep", "1000")
	WaitFor(t, healthWait, func() bool {
		return d.must("inspect", "--format", "{{.State.Health.Status}}", "dhc") == "healthy"
	})
	if out := d.must("inspect", "--format", "{{(index .State.Health.Log 0).Output}}", "dhc"); out != "api-check" {
		t.Errorf("docker inspect State.Health.Log[0].Output = %q", out)
	}
	if out := d.must("inspect", "--format", "{{json .Config.Healthcheck.Test}}", "dhc"); out != `["CMD-SHELL","echo api-check"]` {
		t.Errorf("docker inspect Config.Healthcheck.Test = %s", out)
	}
	if ps := d.must("ps", "--filter", "health=healthy", "--format", "{{.Names}} {{.Status}}"); !strings.HasPrefix(ps, "dhc Up") || !strings.HasSuffix(ps, "(healthy)") {
		t.Errorf("docker ps --filter health=healthy: %q", ps)
	}
	d.must("rm", "-f", "dhc")

	if _, err := exec.LookPath("docker-compose"); err != nil {
		t.Skip("docker-compose is not installed: scripts/setup.sh installs it")
	}
	dir := filepath.Join(env.TmpDir, "proj")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// db becomes healthy only once its file exists; app waits for that.
	project := `version: "2.4"
services:
  db:
    image: busybox
    command: ["sh", "-c", "sleep 2; touch /tmp/ready; exec sleep 1000"]
    healthcheck:
      test: ["CMD", "test", "-e", "/tmp/ready"]
      interval: 1s
      retries: 30
  app:
    image: busybox
    command: ["sleep", "1000"]
    depends_on:
      db:
        condition: service_healthy
`
	if err := os.WriteFile(filepath.Join(dir, "docker-compose.yml"), []byte(project), 0o644); err != nil {
		t.Fatal(err)
	}
	compose := func(args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "docker-compose", append([]string{"-p", "hcp"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "DOCKER_HOST="+uri, "DOCKER_CONFIG="+t.TempDir())
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := compose("up", "-d"); err != nil {
		t.Fatalf("compose up with service_healthy: %v\n%s", err, out)
	}
	if st := env.MustBerth(t, "inspect", "--format", "{{.State.Health.Status}}", "hcp_db_1"); st != "healthy" {
		t.Errorf("app started while db was %s", st)
	}
	dbStarted, _ := strconv.ParseInt(env.MustBerth(t, "inspect", "--format", "{{.State.StartedAt.UnixNano}}", "hcp_db_1"), 10, 64)
	appStarted, _ := strconv.ParseInt(env.MustBerth(t, "inspect", "--format", "{{.State.StartedAt.UnixNano}}", "hcp_app_1"), 10, 64)
	if appStarted <= dbStarted {
		t.Errorf("app started at %d, not after db (%d)", appStarted, dbStarted)
	}
	if out, err := compose("down"); err != nil {
		t.Fatalf("compose down: %v\n%s", err, out)
	}
}
