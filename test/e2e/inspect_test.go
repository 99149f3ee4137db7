package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestInspectRunningContainer(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	imgID := pbImageID(t, env, "busybox")
	hostDir := filepath.Join(env.TmpDir, "data")
	if err := os.MkdirAll(hostDir, 0o755); err != nil {
		t.Fatal(err)
	}
	id := env.MustBerth(t, "run", "-d", "--name", "insp",
		"-e", "FOO=bar", "--label", "k=v", "--workdir", "/tmp", "--user", "daemon",
		"--hostname", "myhost", "-v", hostDir+":/data",
		"busybox", "sleep", "1000")

	objs := pbInspect(t, env, "insp")
	if len(objs) != 1 {
		t.Fatalf("inspect returned %d objects", len(objs))
	}
	c := objs[0]
	if c["Id"] != id {
		t.Errorf("Id = %v, want %s", c["Id"], id)
	}
	if c["Name"] != "insp" {
		t.Errorf("Name = %v", c["Name"])
	}
	if c["Image"] != imgID {
		t.Errorf("Image = %v, want the image ID %s", c["Image"], imgID)
	}
	if c["ImageName"] != "localhost/busybox:latest" {
		t.Errorf("ImageName = %v", c["ImageName"])
	}
	if c["Path"] != "sleep" || !slices.Equal(pbStrings(c["Args"]), []string{"1000"}) {
		t.Errorf("Path/Args = %v %v, want sleep [1000]", c["Path"], c["Args"])
	}

	// State.
	if got := pbField(t, c, "State.Status"); got != "running" {
		t.Errorf("State.Status = %v", got)
	}
	if got := pbField(t, c, "State.Running"); got != true {
		t.Errorf("State.Running = %v", got)
	}
	for _, k := range []string{"State.Paused", "State.OOMKilled"} {
		if got := pbField(t, c, k); got != false {
			t.Errorf("%s = %v, want false", k, got)
		}
	}
	pid, _ := pbField(t, c, "State.Pid").(float64)
	if pid <= 0 {
		t.Errorf("State.Pid = %v, want the container's pid", pid)
	} else if _, err := os.Stat(filepath.Join("/proc", strconv.Itoa(int(pid)))); err != nil {
		t.Errorf("State.Pid %v is not a live process: %v", pid, err)
	}
	if got := pbField(t, c, "State.ExitCode"); got != float64(0) {
		t.Errorf("State.ExitCode = %v", got)
	}
	started, err := time.Parse(time.RFC3339Nano, pbField(t, c, "State.StartedAt").(string))
	if err != nil || time.Since(started) > time.Hour || time.Since(started) < -time.Minute {
		t.Errorf("State.StartedAt = %v (%v), want a recent time", pbField(t, c, "State.StartedAt"), err)
	}
	if got := pbField(t, c, "State.FinishedAt"); got != "0001-01-01T00:00:00Z" {
		t.Errorf("State.FinishedAt of a running container = %v, want the zero time", got)
	}

	// Config.
	env1 := pbStrings(pbField(t, c, "Config.Env"))
	if !slices.Contains(env1, "FOO=bar") || !slices.ContainsFunc(env1, func(s string) bool { return strings.HasPrefix(s, "PATH=") }) {
		t.Errorf("Config.Env = %v, want FOO=bar and PATH", env1)
	}
	if got := pbStrings(pbField(t, c, "Config.Cmd")); !slices.Equal(got, []string{"sleep", "1000"}) {
		t.Errorf("Config.Cmd = %v", got)
	}
	if l, _ := pbField(t, c, "Config.Labels").(map[string]any); l["k"] != "v" {
		t.Errorf("Config.Labels = %v", l)
	}
	for k, want := range map[string]string{
		"Config.WorkingDir": "/tmp",
		"Config.User":       "daemon",
		"Config.Hostname":   "myhost",
		"Config.Image":      "localhost/busybox:latest",
	} {
		if got := pbField(t, c, k); got != want {
			t.Errorf("%s = %v, want %s", k, got, want)
		}
	}
	// Entrypoint exists in the docker shape (empty here: the image has none).
	if m := c["Config"].(map[string]any); !slices.Contains(pbKeys(m), "Entrypoint") {
		t.Errorf("Config has no Entrypoint key: %v", pbKeys(m))
	}

	// HostConfig and Mounts.
	binds := pbStrings(pbField(t, c, "HostConfig.Binds"))
	if len(binds) != 1 || !strings.HasPrefix(binds[0], hostDir+":/data") {
		t.Errorf("HostConfig.Binds = %v, want [%s:/data...]", binds, hostDir)
	}
	mounts, _ := c["Mounts"].([]any)
	if len(mounts) != 1 {
		t.Fatalf("Mounts = %v, want the bind mount", c["Mounts"])
	}
	m := mounts[0].(map[string]any)
	if m["Type"] != "bind" || m["Source"] != hostDir || m["Destination"] != "/data" || m["RW"] != true {
		t.Errorf("Mounts[0] = %v, want bind %s -> /data rw", m, hostDir)
	}

	// GraphDriver.
	if got := pbField(t, c, "GraphDriver.Name"); got != "overlay" && os.Getenv("BERTH_E2E_STORAGE_DRIVER") == "" {
		t.Errorf("GraphDriver.Name = %v, want overlay", got)
	}
	if got := pbField(t, c, "GraphDriver.Name"); got == "overlay" {
		data, _ := pbField(t, c, "GraphDriver.Data").(map[string]any)
		for _, k := range []string{"UpperDir", "WorkDir", "MergedDir"} {
			if s, _ := data[k].(string); !strings.HasPrefix(s, env.Root) {
				t.Errorf("GraphDriver.Data.%s = %v, want a path under %s", k, data[k], env.Root)
			}
		}
	}
	// Sizes only with -s.
	if _, ok := c["SizeRw"]; ok {
		t.Errorf("inspect without -s reports SizeRw")
	}

	// --format on fields and the docker idiom {{.Id}}.
	if got := env.MustBerth(t, "inspect", "--format", "{{.State.Status}} {{.State.Running}} {{.Config.Hostname}}", "insp"); got != "running true myhost" {
		t.Errorf("inspect --format = %q", got)
	}
	if got := env.MustBerth(t, "container", "inspect", "--format", "{{.ID}}", id[:12]); got != id {
		t.Errorf("container inspect --format {{.ID}} by short ID = %q", got)
	}
	if r := env.Berth("inspect", "--format", "{{.Id}}", "insp"); strings.TrimSpace(r.Stdout()) != id {
		t.Errorf("inspect --format {{.Id}}: want %s\n%s", id, r)
	}
	if r := env.Berth("inspect", "--format", "{{.NoSuchField}}", "insp"); r.ExitCode() != 125 {
		t.Errorf("inspect with a bad template: exit %d, want 125", r.ExitCode())
	}
}

func TestInspectSize(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "--name", "sz", "busybox", "sh", "-c", "dd if=/dev/zero of=/blob bs=1000 count=100 2>/dev/null")
	c := pbInspect(t, env, "-s", "sz")[0]
	rw, _ := c["SizeRw"].(float64)
	rootfs, _ := c["SizeRootFs"].(float64)
	if rw < 100000 || rw > 1e6 {
		t.Errorf("SizeRw = %v, want about 100000 (the file written)", c["SizeRw"])
	}
	if rootfs < 1e6+rw {
		t.Errorf("SizeRootFs = %v, want the image plus SizeRw", c["SizeRootFs"])
	}
	if got := env.MustBerth(t, "inspect", "-s", "--format", "{{.SizeRw}}", "sz"); got != strconv.Itoa(int(rw)) {
		t.Errorf("inspect -s --format {{.SizeRw}} = %q, want %d", got, int(rw))
	}
}

func TestInspectExitedContainer(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	r := env.Berth("run", "--name", "ex", "busybox", "sh", "-c", "exit 7")
	if r.ExitCode() != 7 {
		t.Fatalf("run exit 7:\n%s", r)
	}
	c := pbInspect(t, env, "ex")[0]
	if got := pbField(t, c, "State.Status"); got != "exited" {
		t.Errorf("State.Status = %v", got)
	}
	if got := pbField(t, c, "State.Running"); got != false {
		t.Errorf("State.Running = %v", got)
	}
	if got := pbField(t, c, "State.ExitCode"); got != float64(7) {
		t.Errorf("State.ExitCode = %v, want 7", got)
	}
	if got := pbField(t, c, "State.Pid"); got != float64(0) {
		t.Errorf("State.Pid of an exited container = %v, want 0", got)
	}
	started, err1 := time.Parse(time.RFC3339Nano, pbField(t, c, "State.StartedAt").(string))
	finished, err2 := time.Parse(time.RFC3339Nano, pbField(t, c, "State.FinishedAt").(string))
	if err1 != nil || err2 != nil || started.IsZero() || finished.IsZero() {
		t.Errorf("StartedAt/FinishedAt = %v/%v (%v %v)", started, finished, err1, err2)
	} else if finished.Before(started.Add(-time.Second)) {
		t.Errorf("FinishedAt %v is before StartedAt %v", finished, started)
	}

	// A created container: never started.
	env.MustBerth(t, "create", "--name", "cr", "busybox", "true")
	if got := env.MustBerth(t, "inspect", "--format", "{{.State.Status}} {{.State.Running}} {{.State.Pid}} {{.State.StartedAt.IsZero}}", "cr"); got != "created false 0 true" {
		t.Errorf("created container state = %q, want %q", got, "created false 0 true")
	}
}

func TestInspectTypesAndErrors(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	imgOut := env.ImportBusybox(t)
	imgID := strings.TrimPrefix(imgOut, "sha256:")
	ctr := env.MustBerth(t, "create", "--name", "c1", "busybox", "true")

	// Without --type, a name is looked up as a container, then an image.
	if got := env.MustBerth(t, "inspect", "--format", "{{.ID}}", "c1"); got != ctr {
		t.Errorf("inspect c1 = %q, want the container ID", got)
	}
	img := pbInspect(t, env, "busybox")
	if len(img) != 1 || img[0]["Id"] != imgID {
		t.Errorf("inspect busybox: want the image %s, got %v", imgID, img)
	}
	if _, ok := img[0]["RootFS"]; !ok {
		t.Errorf("inspect busybox is not image-shaped: keys %v", pbKeys(img[0]))
	}
	if got := env.MustBerth(t, "inspect", "--type", "image", "--format", "{{.ID}}", "busybox"); got != imgID {
		t.Errorf("inspect --type image = %q", got)
	}
	if got := env.MustBerth(t, "inspect", "--type", "container", "--format", "{{.Name}}", ctr); got != "c1" {
		t.Errorf("inspect --type container = %q", got)
	}
	// Several objects: one array.
	both := pbInspect(t, env, "c1", "busybox")
	if len(both) != 2 {
		t.Errorf("inspect c1 busybox: %d objects, want 2", len(both))
	}

	// Wrong types.
	r := env.Berth("inspect", "--type", "image", "c1")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "c1") {
		t.Errorf("inspect --type image <container>: want exit 125 naming c1\n%s", r)
	}
	r = env.Berth("inspect", "--type", "container", "busybox")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "busybox") {
		t.Errorf("inspect --type container <image>: want exit 125 naming busybox\n%s", r)
	}
	r = env.Berth("inspect", "--type", "bogus", "busybox")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "bogus") {
		t.Errorf("inspect --type bogus: want exit 125\n%s", r)
	}

	// Unknown object: podman prints [] and 'no such object: "nosuch"', 125.
	r = env.Berth("inspect", "nosuch")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "no such object") || !strings.Contains(r.Stderr(), "nosuch") {
		t.Errorf("inspect nosuch: want exit 125 'no such object: \"nosuch\"'\n%s", r)
	}
	// One known, one unknown: the known one is still printed.
	r = env.Berth("inspect", "--format", "{{.Name}}", "c1", "nosuch")
	if r.ExitCode() != 125 || strings.TrimSpace(r.Stdout()) != "c1" {
		t.Errorf("inspect c1 nosuch: want c1 printed and exit 125\n%s", r)
	}
	// --latest.
	if got := env.MustBerth(t, "inspect", "-l", "--format", "{{.Name}}"); got != "c1" {
		t.Errorf("inspect -l = %q, want c1", got)
	}
}
