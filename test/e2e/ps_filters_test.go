package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The filter keys podman has beyond the basic ones: publish (published
// container ports, as docker), expose (container ports), restart-policy,
// until, command (argv[0]),
// network, is-task; bad values are refused.
func TestPsFiltersMoreKeys(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "create", "--name", "web", "-p", "18080:80", "--expose", "9000/udp", "--restart", "always", "busybox", "httpd", "-f")
	env.MustBerth(t, "create", "--name", "sleeper", "--network", "none", "busybox", "sleep", "1000")
	cases := []struct {
		filter string
		want   []string
	}{
		{"publish=80", []string{"web"}},
		{"publish=70-90/tcp", []string{"web"}},
		{"publish=18080", nil},
		{"publish=9000/udp", nil},
		{"expose=80", []string{"web"}},
		{"expose=9000/udp", []string{"web"}},
		{"expose=9000", nil},
		{"restart-policy=always", []string{"web"}},
		{"restart-policy=no", []string{"sleeper"}},
		{"command=httpd", []string{"web"}},
		{"command=sleep", []string{"sleeper"}},
		{"is-task=false", []string{"sleeper", "web"}},
		{"is-task=true", nil},
		{"until=" + time.Now().Add(time.Hour).Format(time.RFC3339), []string{"sleeper", "web"}},
		{"until=2001-01-01", nil},
	}
	for _, c := range cases {
		if got := pbPsNames(t, env, "-a", "--filter", c.filter); !slices.Equal(got, c.want) {
			t.Errorf("ps -a --filter %s = %q, want %q", c.filter, got, c.want)
		}
	}
	for _, bad := range []string{"publish=abc", "expose=80/xyz", "restart-policy=sometimes", "is-task=maybe", "until=yesterday"} {
		paExpectError(t, env.Berth("ps", "-a", "--filter", bad), 125, "invalid filter", bad)
	}
}

// --sort orders by a column; an unknown key is podman's error. --ns shows
// the namespaces of running containers; the JSON has podman's fields.
func TestPsSortNsJSON(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "create", "--name", "bbb", "busybox", "true")
	env.MustBerth(t, "create", "--name", "aaa", "busybox", "true")
	env.MustBerth(t, "create", "--name", "ccc", "busybox", "true")
	if got := env.MustBerth(t, "ps", "-a", "--sort", "names", "--format", "{{.Names}}"); got != "aaa\nbbb\nccc" {
		t.Errorf("ps --sort names = %q", got)
	}
	if got := env.MustBerth(t, "ps", "-a", "--format", "{{.Names}}"); got != "ccc\naaa\nbbb" {
		t.Errorf("ps (newest first) = %q", got)
	}
	paExpectError(t, env.Berth("ps", "--sort", "bogus"), 125, "invalid option for --sort, options are: command, created, id, image, names, runningfor, size, status")

	env.MustBerth(t, "run", "-d", "--name", "up", "busybox", "sleep", "1000")
	lines := env.Berth("ps", "--ns").Lines()
	if len(lines) != 2 || strings.Join(strings.Fields(lines[0]), " ") != "CONTAINER ID NAMES PID CGROUPNS IPC MNT NET PIDNS USERNS UTS" {
		t.Fatalf("ps --ns table:\n%s", strings.Join(lines, "\n"))
	}
	if f := strings.Fields(lines[1]); len(f) != 10 || f[1] != "up" {
		t.Errorf("ps --ns row %q: want 10 columns for up", lines[1])
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(env.MustBerth(t, "ps", "--ns", "--format", "json")), &rows); err != nil || len(rows) != 1 {
		t.Fatalf("ps --ns --format json: %v %v", err, rows)
	}
	ns, _ := rows[0]["Namespaces"].(map[string]any)
	if ns["Net"] == "" || ns["Pidns"] == nil || ns["Mnt"] == nil {
		t.Errorf("Namespaces = %v, want Net, Pidns, Mnt inode numbers", ns)
	}
	for _, k := range []string{"AutoRemove", "Command", "Created", "CreatedAt", "Exited", "ExitedAt", "ExitCode", "Id", "Image", "ImageID", "IsInfra", "Labels", "Mounts", "Names", "Namespaces", "Networks", "Pid", "Pod", "PodName", "Ports", "Restarts", "Size", "StartedAt", "State", "Status"} {
		if _, ok := rows[0][k]; !ok {
			t.Errorf("ps JSON lacks podman's field %s", k)
		}
	}
	paExpectError(t, env.Berth("ps", "-w", "1", "-l"), 125, "the watch and latest flags cannot be used together")
}

// logs: docker's -n is --tail; --names prefixes each line with the name.
func TestLogsNamesTail(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "--name", "one", "busybox", "sh", "-c", "echo a; echo b; echo c")
	env.MustBerth(t, "run", "--name", "two", "busybox", "echo", "z")
	if got := env.MustBerth(t, "logs", "-n", "1", "one"); got != "c" {
		t.Errorf("logs -n 1 = %q, want c", got)
	}
	if got := env.MustBerth(t, "logs", "--names", "--tail", "2", "one", "two"); got != "one b\none c\ntwo z" {
		t.Errorf("logs --names = %q", got)
	}
	if got := env.MustBerth(t, "logs", "--details", "two"); got != "z" {
		t.Errorf("logs --details = %q", got)
	}
}

// ps --external lists the containers another tool left in the same
// storage (here podman, when it is installed), as podman does: state
// "storage", status "Storage".
func TestPsExternal(t *testing.T) {
	t.Parallel()
	podman, err := exec.LookPath("podman")
	if err != nil {
		t.Skip("podman is not installed")
	}
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "create", "--name", "ours", "busybox")
	driver := os.Getenv("BERTH_E2E_STORAGE_DRIVER")
	if driver == "" {
		driver = "overlay"
	}
	// podman's own files stay under the test's directory.
	global := []string{"--root", env.Root, "--runroot", env.RunRoot, "--storage-driver", driver,
		"--tmpdir", filepath.Join(env.Dir, "podman-tmp"), "--events-backend", "none"}
	p := func(args ...string) string {
		cmd := exec.Command(podman, append(global, args...)...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("podman %v: %v", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	id := p("create", "--name", "theirs", "localhost/busybox", "true")
	t.Cleanup(func() { p("rm", "-f", id) })
	if got := pbPsNames(t, env, "-a"); !slices.Equal(got, []string{"ours"}) {
		t.Errorf("ps -a = %q, want only ours", got)
	}
	got := env.MustBerth(t, "ps", "--external", "--format", "{{.Names}} {{.State}} {{.Status}} {{.Image}}")
	if got != "theirs storage Storage localhost/busybox:latest" {
		t.Errorf("ps --external = %q", got)
	}
}
