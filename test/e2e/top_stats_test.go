package e2e

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker/go-units"
)

// tsColumn returns column i of each data row of a top table.
func tsColumn(out string, i int) []string {
	var col []string
	for n, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if n == 0 || len(f) <= i {
			continue
		}
		col = append(col, f[i])
	}
	return col
}

// TestTopProcessList runs a container with a known process tree and reads
// it back with descriptors and with ps options.
func TestTopProcessList(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "-d", "--name", "procs", "busybox", "sh", "-c",
		"sleep 1001 & sleep 1002 & touch /tmp/ready; wait")
	WaitFor(t, 20*time.Second, func() bool { return env.Berth("cp", "procs:/tmp/ready", "-").ExitCode() == 0 })

	out := env.MustBerth(t, "top", "procs")
	header := strings.Fields(strings.Split(out, "\n")[0])
	if !slices.Equal(header, []string{"USER", "PID", "PPID", "%CPU", "ELAPSED", "TTY", "TIME", "COMMAND"}) {
		t.Errorf("top header = %q", header)
	}
	if !strings.Contains(out, "sleep 1001") || !strings.Contains(out, "sleep 1002") {
		t.Errorf("top output lacks the sleeps:\n%s", out)
	}

	out = env.MustBerth(t, "top", "procs", "pid", "ppid", "comm", "user")
	pids, ppids, comms, users := tsColumn(out, 0), tsColumn(out, 1), tsColumn(out, 2), tsColumn(out, 3)
	slices.Sort(comms)
	if !slices.Equal(comms, []string{"sh", "sleep", "sleep"}) {
		t.Errorf("top comm = %q, want sh sleep sleep\n%s", comms, out)
	}
	if pids[0] != "1" || ppids[0] != "0" {
		t.Errorf("first process pid %s ppid %s, want the container's init (1, 0)\n%s", pids[0], ppids[0], out)
	}
	for i := 1; i < len(ppids); i++ {
		if ppids[i] != "1" {
			t.Errorf("process %s has ppid %s, want 1 (numbered inside the container)", pids[i], ppids[i])
		}
	}
	for _, u := range users {
		if u != "root" {
			t.Errorf("user %q, want root (named from the container's /etc/passwd)", u)
		}
	}

	out = env.MustBerth(t, "top", "procs", "-eo", "pid,comm")
	if h := strings.Fields(strings.Split(out, "\n")[0]); !slices.Equal(h, []string{"PID", "COMMAND"}) || len(tsColumn(out, 0)) != 3 {
		t.Errorf("top -eo pid,comm:\n%s", out)
	}

	if r := env.Berth("top", "procs", "bogus"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "bogus") {
		t.Errorf("top with an unknown descriptor: want exit 125\n%s", r)
	}
	env.MustBerth(t, "create", "--name", "idle", "busybox", "true")
	if r := env.Berth("top", "idle"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "top can only be used on running containers") {
		t.Errorf("top of a created container: want podman's error\n%s", r)
	}
}

type tsStats struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	MemUsage string `json:"mem_usage"`
	PIDs     string `json:"pids"`
	CPU      string `json:"cpu_percent"`
	NetIO    string `json:"net_io"`
}

// TestStatsMemoryFootprint fills 20 MiB of a tmpfs in a container with a
// 64 MiB limit and checks what stats reports.
func TestStatsMemoryFootprint(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "-d", "--name", "mem", "-m", "64m", "busybox", "sh", "-c",
		"dd if=/dev/zero of=/dev/shm/blob bs=1M count=20 2>/dev/null; touch /tmp/ready; exec sleep 1000")
	WaitFor(t, 20*time.Second, func() bool { return env.Berth("cp", "mem:/tmp/ready", "-").ExitCode() == 0 })

	var rows []tsStats
	out := env.MustBerth(t, "stats", "--no-stream", "--format", "json", "mem")
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 1 {
		t.Fatalf("stats --format json = %q: %v", out, err)
	}
	use, limit, _ := strings.Cut(rows[0].MemUsage, " / ")
	used, err1 := units.FromHumanSize(use)
	lim, err2 := units.FromHumanSize(limit)
	if err1 != nil || err2 != nil || used < 20<<20 || used > 60<<20 {
		t.Errorf("memory usage %q, want at least the 20 MiB in the tmpfs", rows[0].MemUsage)
	}
	if lim < 64<<20-100_000 || lim > 64<<20+100_000 { // "67.11MB": 4 significant digits
		t.Errorf("memory limit %q, want the 64 MiB of -m", limit)
	}
	if rows[0].PIDs != "1" || rows[0].Name != "mem" || len(rows[0].ID) != 12 || !strings.HasSuffix(rows[0].CPU, "%") {
		t.Errorf("stats row = %+v", rows[0])
	}

	// The default table and a template.
	table := env.MustBerth(t, "stats", "--no-stream")
	if !strings.HasPrefix(table, "ID") || !strings.Contains(table, "MEM USAGE / LIMIT") || !strings.Contains(table, "mem") {
		t.Errorf("stats table:\n%s", table)
	}
	if got := env.MustBerth(t, "stats", "--no-stream", "--no-trunc", "--format", "{{.Name}} {{.PIDS}} {{.ID}}", "mem"); !strings.HasPrefix(got, "mem 1 ") || len(got) != len("mem 1 ")+64 {
		t.Errorf("stats template = %q", got)
	}
	// -a also lists stopped containers, with zero counters.
	env.MustBerth(t, "create", "--name", "off", "busybox", "true")
	if got := env.MustBerth(t, "stats", "--no-stream", "-a", "--format", "{{.Name}} {{.MemUsage}}"); !strings.Contains(got, "off 0B / 0B") {
		t.Errorf("stats -a = %q, want the created container with zeros", got)
	}
	if got := env.MustBerth(t, "stats", "--no-stream", "--format", "{{.Name}}"); strings.Contains(got, "off") {
		t.Errorf("stats without -a lists a stopped container: %q", got)
	}
	if r := env.Berth("stats", "--no-stream", "nosuch"); r.ExitCode() != 125 {
		t.Errorf("stats of a missing container: want 125\n%s", r)
	}
}
