package e2e

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// pbPsSetup creates, in a fresh Env, one running container "up" (label
// app=web), one exited with code 3 "ex3" and one created "cr" (label app=db),
// in that order, and returns the Env and the three full IDs.
func pbPsSetup(t *testing.T) (env *Env, up, ex3, cr string) {
	t.Helper()
	env = NewEnv(t)
	env.ImportBusybox(t)
	up = env.MustBerth(t, "run", "-d", "--name", "up", "--label", "app=web", "busybox", "sleep", "1000")
	ex3 = env.MustBerth(t, "create", "--name", "ex3", "busybox", "sh", "-c", "exit 3")
	if r := env.Berth("start", "-a", "ex3"); r.ExitCode() != 3 {
		t.Fatalf("start -a ex3: want exit 3\n%s", r)
	}
	cr = env.MustBerth(t, "create", "--name", "cr", "--label", "app=db", "busybox", "echo", "hi")
	for _, id := range []string{up, ex3, cr} {
		if !pbFullID.MatchString(id) {
			t.Fatalf("run/create printed %q, want a full ID", id)
		}
	}
	return env, up, ex3, cr
}

// pbPsNames runs ps with args and --format {{.Names}} and returns the sorted
// names.
func pbPsNames(t *testing.T, env *Env, args ...string) []string {
	t.Helper()
	r := env.Berth(append(append([]string{"ps"}, args...), "--format", "{{.Names}}")...)
	if r.ExitCode() != 0 {
		t.Errorf("ps %v failed:\n%s", args, r)
		return nil
	}
	return slices.Sorted(slices.Values(r.Lines()))
}

func TestPsListing(t *testing.T) {
	t.Parallel()
	env, up, ex3, cr := pbPsSetup(t)

	// Default: running only, the podman table.
	lines := env.Berth("ps").Lines()
	if len(lines) != 2 {
		t.Fatalf("ps: want header + 1 running container, got %q", lines)
	}
	for _, h := range []string{"CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"} {
		if !strings.Contains(lines[0], h) {
			t.Errorf("ps header %q lacks %s", lines[0], h)
		}
	}
	if f := strings.Fields(lines[1]); f[0] != up[:12] || f[1] != "localhost/busybox:latest" || f[len(f)-1] != "up" {
		t.Errorf("ps row = %q, want %s localhost/busybox:latest ... up", lines[1], up[:12])
	}
	if !strings.Contains(lines[1], "sleep 1000") || !strings.Contains(lines[1], "Up ") {
		t.Errorf("ps row %q lacks the command or the Up status", lines[1])
	}

	// -a: all three, with their status texts.
	all := env.Berth("ps", "-a").Lines()
	if len(all) != 4 {
		t.Fatalf("ps -a: want header + 3 rows, got %q", all)
	}
	status := map[string]string{}
	for _, l := range all[1:] {
		f := strings.Fields(l)
		status[f[len(f)-1]] = l
	}
	if !strings.Contains(status["ex3"], "Exited (3) ") {
		t.Errorf("ps -a row of ex3 = %q, want status 'Exited (3) ...'", status["ex3"])
	}
	if !strings.Contains(status["cr"], "Created") {
		t.Errorf("ps -a row of cr = %q, want status Created", status["cr"])
	}
	if !strings.Contains(status["up"], "Up ") {
		t.Errorf("ps -a row of up = %q, want status 'Up ...'", status["up"])
	}

	// -q and -aq: short IDs only.
	if got := env.Berth("ps", "-q").Lines(); !slices.Equal(got, []string{up[:12]}) {
		t.Errorf("ps -q = %q, want [%s]", got, up[:12])
	}
	gotAll := slices.Sorted(slices.Values(env.Berth("ps", "-aq").Lines()))
	wantAll := slices.Sorted(slices.Values([]string{up[:12], ex3[:12], cr[:12]}))
	if !slices.Equal(gotAll, wantAll) {
		t.Errorf("ps -aq = %q, want %q", gotAll, wantAll)
	}
	// --no-trunc: full IDs.
	if got := env.Berth("ps", "-q", "--no-trunc").Lines(); !slices.Equal(got, []string{up}) {
		t.Errorf("ps -q --no-trunc = %q, want [%s]", got, up)
	}
	if got := env.MustBerth(t, "ps", "-a", "--no-trunc"); !strings.Contains(got, ex3) || !strings.Contains(got, cr) {
		t.Errorf("ps -a --no-trunc lacks full IDs:\n%s", got)
	}

	// -n 1 and -l: the last created container, whatever its state.
	if got := env.Berth("ps", "-q", "-n", "1").Lines(); !slices.Equal(got, []string{cr[:12]}) {
		t.Errorf("ps -q -n 1 = %q, want [%s] (cr, created last)", got, cr[:12])
	}
	if got := pbPsNames(t, env, "-n", "2"); !slices.Equal(got, []string{"cr", "ex3"}) {
		t.Errorf("ps -n 2 = %q, want [cr ex3]", got)
	}
	if got := env.Berth("ps", "-q", "-l").Lines(); !slices.Equal(got, []string{cr[:12]}) {
		t.Errorf("ps -q -l = %q, want [%s]", got, cr[:12])
	}

	// --noheading.
	if got := env.Berth("ps", "-a", "--noheading").Lines(); len(got) != 3 || strings.Contains(got[0], "CONTAINER ID") {
		t.Errorf("ps -a --noheading = %q", got)
	}
}

func TestPsSize(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "--name", "writer", "busybox", "sh", "-c", "dd if=/dev/zero of=/blob bs=1000 count=100 2>/dev/null")
	lines := env.Berth("ps", "-a", "-s").Lines()
	if len(lines) != 2 {
		t.Fatalf("ps -a -s: %q", lines)
	}
	if !strings.Contains(lines[0], "SIZE") {
		t.Errorf("ps -s header %q lacks SIZE", lines[0])
	}
	// 100kB written; podman prints "100kB (virtual 2.23MB)".
	if !strings.Contains(lines[1], "virtual") || !strings.Contains(lines[1], "kB") {
		t.Errorf("ps -s row %q, want the writable layer size (~100kB) and the virtual size", lines[1])
	}
	if got := env.MustBerth(t, "ps", "-a", "-s", "--format", "{{.Size}}"); !strings.HasPrefix(got, "10") || !strings.Contains(got, "virtual") {
		t.Errorf("ps -s --format {{.Size}} = %q, want ~100kB (virtual ...)", got)
	}
}

func TestPsFilters(t *testing.T) {
	t.Parallel()
	env, up, _, cr := pbPsSetup(t)
	imgID := pbImageID(t, env, "busybox")

	cases := []struct {
		filter string
		want   []string
	}{
		{"name=up", []string{"up"}},
		{"name=ex", []string{"ex3"}}, // substring/regex match, like podman
		{"id=" + cr[:12], []string{"cr"}},
		{"id=" + up, []string{"up"}},
		{"status=running", []string{"up"}},
		{"status=exited", []string{"ex3"}},
		{"status=created", []string{"cr"}},
		{"label=app", []string{"cr", "up"}},
		{"label=app=db", []string{"cr"}},
		{"label=app=none", nil},
		{"ancestor=localhost/busybox:latest", []string{"cr", "ex3", "up"}},
		{"ancestor=" + imgID[:12], []string{"cr", "ex3", "up"}},
		{"exited=3", []string{"ex3"}},
		{"exited=0", nil},
	}
	for _, c := range cases {
		if got := pbPsNames(t, env, "-a", "--filter", c.filter); !slices.Equal(got, c.want) {
			t.Errorf("ps -a --filter %s = %q, want %q", c.filter, got, c.want)
		}
	}
	// Several filters of different keys are ANDed.
	if got := pbPsNames(t, env, "-a", "--filter", "label=app", "--filter", "status=running"); !slices.Equal(got, []string{"up"}) {
		t.Errorf("ps -a --filter label=app --filter status=running = %q, want [up]", got)
	}
	// Without -a, a status filter other than running still shows matches
	// (podman: filters imply --all).
	if got := pbPsNames(t, env, "--filter", "status=exited"); !slices.Equal(got, []string{"ex3"}) {
		t.Errorf("ps --filter status=exited (no -a) = %q, want [ex3]", got)
	}

	for _, bad := range []string{"status=bogus", "bogus=1"} {
		if r := env.Berth("ps", "-a", "--filter", bad); r.ExitCode() != 125 {
			t.Errorf("ps --filter %s: exit %d, want 125\n%s", bad, r.ExitCode(), r)
		}
	}
}

func TestPsFormat(t *testing.T) {
	t.Parallel()
	env, up, ex3, _ := pbPsSetup(t)

	got := env.MustBerth(t, "ps", "--format", "{{.ID}}|{{.Names}}|{{.Image}}|{{.Command}}|{{.State}}|{{.Labels}}")
	f := strings.Split(got, "|")
	if len(f) != 6 {
		t.Fatalf("ps --format = %q", got)
	}
	if f[0] != up[:12] || f[1] != "up" || f[2] != "localhost/busybox:latest" || f[3] != "sleep 1000" {
		t.Errorf("ps --format ID|Names|Image|Command = %q", got)
	}
	if f[4] != "running" {
		t.Errorf("{{.State}} = %q, want running", f[4])
	}
	if !strings.Contains(f[5], "app") || !strings.Contains(f[5], "web") {
		t.Errorf("{{.Labels}} = %q, want app=web", f[5])
	}

	got = env.MustBerth(t, "ps", "-a", "--filter", "name=ex3", "--format", "{{.Status}}|{{.State}}|{{.ExitCode}}|{{.Exited}}")
	if !strings.HasPrefix(got, "Exited (3) ") || !strings.HasSuffix(got, "|exited|3|true") {
		t.Errorf("ps --format of an exited container = %q, want 'Exited (3) ...|exited|3|true'", got)
	}
	got = env.MustBerth(t, "ps", "-a", "--filter", "name=cr", "--format", "{{.Status}}|{{.State}}")
	if got != "Created|created" {
		t.Errorf("ps --format of a created container = %q, want Created|created", got)
	}
	got = env.MustBerth(t, "ps", "--format", "{{.Status}}|{{.Pid}}|{{.RunningFor}}")
	if f := strings.Split(got, "|"); len(f) != 3 || !strings.HasPrefix(f[0], "Up ") || f[1] == "0" || !strings.HasSuffix(f[2], "ago") {
		t.Errorf("ps --format Status|Pid|RunningFor = %q", got)
	}
	got = env.MustBerth(t, "ps", "--format", "{{.CreatedAt}}")
	if _, err := time.Parse("2006-01-02 15:04:05.999999999 -0700 MST", got); err != nil {
		t.Errorf("{{.CreatedAt}} = %q, want a Go time string: %v", got, err)
	}

	// table with tabs: podman's headers.
	lines := env.Berth("ps", "-a", "--format", `table {{.ID}}\t{{.Names}}\t{{.Status}}`).Lines()
	if len(lines) != 4 {
		t.Fatalf("ps table: %q", lines)
	}
	if h := strings.Fields(lines[0]); !slices.Equal(h, []string{"CONTAINER", "ID", "NAMES", "STATUS"}) {
		t.Errorf("ps table header = %q, want CONTAINER ID  NAMES  STATUS", lines[0])
	}

	// json: an array with podman's keys.
	out := env.MustBerth(t, "ps", "-a", "--format", "json")
	var arr []map[string]any
	if err := json.Unmarshal([]byte(out), &arr); err != nil {
		t.Fatalf("ps --format json: %v\n%s", err, out)
	}
	if len(arr) != 3 {
		t.Fatalf("ps -a --format json: %d entries", len(arr))
	}
	byID := map[string]map[string]any{}
	for _, c := range arr {
		id, _ := c["Id"].(string)
		byID[id] = c
	}
	u, e := byID[up], byID[ex3]
	if u == nil || e == nil {
		t.Fatalf("ps json lacks the full Ids %s/%s: %v", up, ex3, pbKeys(arr[0]))
	}
	if !slices.Equal(pbStrings(u["Names"]), []string{"up"}) || u["State"] != "running" || u["Image"] != "localhost/busybox:latest" {
		t.Errorf("ps json of up: Names=%v State=%v Image=%v", u["Names"], u["State"], u["Image"])
	}
	if !slices.Equal(pbStrings(u["Command"]), []string{"sleep", "1000"}) {
		t.Errorf("ps json Command = %v, want [sleep 1000]", u["Command"])
	}
	if l, _ := u["Labels"].(map[string]any); l["app"] != "web" {
		t.Errorf("ps json Labels = %v", u["Labels"])
	}
	if pid, _ := u["Pid"].(float64); pid <= 0 {
		t.Errorf("ps json Pid of a running container = %v", u["Pid"])
	}
	if e["State"] != "exited" || e["ExitCode"] != float64(3) || e["Exited"] != true {
		t.Errorf("ps json of ex3: State=%v ExitCode=%v Exited=%v", e["State"], e["ExitCode"], e["Exited"])
	}

	if r := env.Berth("ps", "--format", "{{.NoSuchField}}"); r.ExitCode() != 125 {
		t.Errorf("ps with a bad template: exit %d, want 125", r.ExitCode())
	}
	// An empty list in json is [].
	empty := NewEnv(t)
	if got := empty.MustBerth(t, "ps", "-a", "--format", "json"); got != "[]" {
		t.Errorf("ps --format json with no containers = %q, want []", got)
	}
}
