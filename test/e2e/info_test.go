package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// pbHostCgroupVersion returns "v2" on a unified cgroup hierarchy, else "v1".
func pbHostCgroupVersion(t testing.TB) string {
	t.Helper()
	var st unix.Statfs_t
	if err := unix.Statfs("/sys/fs/cgroup", &st); err != nil {
		t.Fatalf("statfs /sys/fs/cgroup: %v", err)
	}
	if st.Type == unix.CGROUP2_SUPER_MAGIC {
		return "v2"
	}
	return "v1"
}

func pbLookPath(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not installed: %v", name, err)
	}
	p, err = filepath.EvalSymlinks(p)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestInfo(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "-d", "--name", "up", "busybox", "sleep", "1000")
	env.MustBerth(t, "create", "--name", "cr", "busybox", "true")

	out := env.MustBerth(t, "info", "--format", "json")
	var info struct {
		Host struct {
			Arch          string
			CgroupManager string
			CgroupVersion string `json:"cgroupVersion"`
			Conmon        struct{ Path, Version string }
			OCIRuntime    struct{ Name, Path, Version string } `json:"ociRuntime"`
			OS            string
			EventLogger   string
		}
		Store struct {
			GraphDriverName string
			GraphRoot       string
			RunRoot         string
			ContainerStore  struct{ Number, Running, Stopped, Paused int }
			ImageStore      struct{ Number int }
		}
	}
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatalf("info --format json: %v\n%s", err, out)
	}
	h, s := info.Host, info.Store
	if h.OCIRuntime.Name != "runc" || h.OCIRuntime.Path != pbLookPath(t, "runc") || !strings.Contains(h.OCIRuntime.Version, "runc") {
		t.Errorf("host.ociRuntime = %+v, want runc at %s with its version", h.OCIRuntime, pbLookPath(t, "runc"))
	}
	if h.Conmon.Path != pbLookPath(t, "conmon") || !strings.Contains(h.Conmon.Version, "conmon") {
		t.Errorf("host.conmon = %+v, want %s with its version", h.Conmon, pbLookPath(t, "conmon"))
	}
	if want := pbHostCgroupVersion(t); h.CgroupVersion != want {
		t.Errorf("host.cgroupVersion = %q, want %q", h.CgroupVersion, want)
	}
	if h.CgroupManager != "cgroupfs" {
		t.Errorf("host.cgroupManager = %q, want cgroupfs on this host", h.CgroupManager)
	}
	if h.OS != "linux" || h.Arch == "" {
		t.Errorf("host.os/arch = %q/%q", h.OS, h.Arch)
	}
	if s.GraphDriverName != "overlay" && os.Getenv("BERTH_E2E_STORAGE_DRIVER") == "" {
		t.Errorf("store.graphDriverName = %q, want overlay", s.GraphDriverName)
	}
	if s.GraphRoot != env.Root || s.RunRoot != env.RunRoot {
		t.Errorf("store graphRoot/runRoot = %q/%q, want the test's %q/%q", s.GraphRoot, s.RunRoot, env.Root, env.RunRoot)
	}
	if c := s.ContainerStore; c.Number != 2 || c.Running != 1 || c.Stopped != 1 {
		t.Errorf("store.containerStore = %+v, want 2 containers, 1 running, 1 stopped", c)
	}
	if s.ImageStore.Number != 1 {
		t.Errorf("store.imageStore.number = %d, want 1", s.ImageStore.Number)
	}

	// Templates with podman's Go field names.
	got := env.MustBerth(t, "info", "--format", "{{.Host.OCIRuntime.Name}} {{.Store.GraphDriverName}} {{.Store.GraphRoot}} {{.Host.Conmon.Path}}")
	if want := "runc " + s.GraphDriverName + " " + env.Root + " " + pbLookPath(t, "conmon"); got != want {
		t.Errorf("info --format = %q, want %q", got, want)
	}
	if r := env.Berth("info", "--format", "{{.Host.CgroupsVersion}}"); strings.TrimSpace(r.Stdout()) != pbHostCgroupVersion(t) {
		t.Errorf("info --format {{.Host.CgroupsVersion}} (podman's field name): want %s\n%s", pbHostCgroupVersion(t), r)
	}

	// Default (YAML-like) output names the same things.
	plain := env.MustBerth(t, "info")
	for _, want := range []string{"graphRoot: " + env.Root, "runRoot: " + env.RunRoot, "graphDriverName: ", "ociRuntime:", "conmon:", "cgroupVersion: " + pbHostCgroupVersion(t)} {
		if !strings.Contains(plain, want) {
			t.Errorf("info output lacks %q", want)
		}
	}
}

func TestVersionFormats(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	plain := env.MustBerth(t, "version")
	out := env.MustBerth(t, "version", "--format", "json")
	var v struct {
		Client struct {
			Version, APIVersion, GoVersion, OsArch, Os string
		}
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("version --format json: %v\n%s", err, out)
	}
	if v.Client.Version == "" || v.Client.OsArch != "linux/"+runtimeArch(t) || v.Client.Os != "linux" {
		t.Errorf("version json Client = %+v", v.Client)
	}
	if !strings.Contains(plain, v.Client.Version) {
		t.Errorf("version output %q lacks the version %s", plain, v.Client.Version)
	}
	if got := env.MustBerth(t, "version", "--format", "{{.Client.Version}}"); got != v.Client.Version {
		t.Errorf("version --format {{.Client.Version}} = %q, want %q", got, v.Client.Version)
	}
}

func runtimeArch(t testing.TB) string {
	t.Helper()
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		t.Fatal(err)
	}
	switch m := unix.ByteSliceToString(u.Machine[:]); m {
	case "x86_64":
		return "amd64"
	case "aarch64":
		return "arm64"
	default:
		return m
	}
}

func TestGlobalRuntimeFlag(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	runc := pbLookPath(t, "runc")

	if got := env.MustBerth(t, "--runtime", runc, "run", "--rm", "busybox", "echo", "ok"); got != "ok" {
		t.Errorf("--runtime %s run printed %q", runc, got)
	}
	if got := env.MustBerth(t, "--runtime", runc, "info", "--format", "{{.Host.OCIRuntime.Path}}"); got != runc {
		t.Errorf("--runtime %s: info reports %q", runc, got)
	}
	if got := env.MustBerth(t, "--runtime", "runc", "run", "--rm", "busybox", "echo", "ok"); got != "ok" {
		t.Errorf("--runtime runc run printed %q", got)
	}
	r := env.Berth("--runtime", "bogus-runtime", "run", "--rm", "busybox", "true")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "bogus-runtime") {
		t.Errorf("--runtime bogus-runtime run: want exit 125 naming the runtime\n%s", r)
	}
	// podman: every command fails with 'default OCI runtime "bogus" not found'.
	r = env.Berth("--runtime", "bogus-runtime", "info")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "bogus-runtime") {
		t.Errorf("--runtime bogus-runtime info: want exit 125 naming the runtime (podman: default OCI runtime \"bogus\" not found)\n%s", r)
	}
}

func TestGlobalStorageDriverFlag(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.GlobalArgs = append(env.GlobalArgs, "--storage-driver", "vfs")
	env.ImportBusybox(t)
	if got := env.MustBerth(t, "info", "--format", "{{.Store.GraphDriverName}}"); got != "vfs" {
		t.Errorf("--storage-driver vfs: info reports %q", got)
	}
	if got := env.MustBerth(t, "run", "--name", "v", "busybox", "echo", "on vfs"); got != "on vfs" {
		t.Errorf("run on vfs printed %q", got)
	}
	if got := env.MustBerth(t, "inspect", "--format", "{{.GraphDriver.Name}}", "v"); got != "vfs" {
		t.Errorf("container GraphDriver.Name = %q, want vfs", got)
	}
	if _, err := os.Stat(filepath.Join(env.Root, "vfs")); err != nil {
		t.Errorf("no vfs directory under --root: %v", err)
	}

	bad := NewEnv(t)
	r := bad.Berth("--storage-driver", "bogus-driver", "images")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "bogus-driver") {
		t.Errorf("--storage-driver bogus-driver: want exit 125 naming it\n%s", r)
	}
}

func TestGlobalLogLevelAndCgroupManager(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)

	// The harness passes --log-level error first; the later flag wins.
	r := env.Berth("--log-level", "debug", "run", "--rm", "busybox", "true")
	if r.ExitCode() != 0 || !strings.Contains(r.Stderr(), "level=debug") {
		t.Errorf("--log-level debug: want debug messages on stderr\n%s", r)
	}
	if strings.Contains(r.Stdout(), "level=") {
		t.Errorf("--log-level debug: log messages on stdout:\n%s", r.Stdout())
	}
	r = env.Berth("--log-level", "info", "run", "--rm", "busybox", "true")
	if strings.Contains(r.Stderr(), "level=debug") {
		t.Errorf("--log-level info still prints debug messages:\n%s", r.Stderr())
	}
	// podman's own line and exit code 1 (its logging hook exits early).
	if r := env.Berth("--log-level", "bogus", "ps"); r.ExitCode() != 1 || !strings.Contains(r.Stderr(), `Log Level "bogus" is not supported`) {
		t.Errorf("--log-level bogus: want exit 1\n%s", r)
	}

	if got := env.MustBerth(t, "--cgroup-manager", "cgroupfs", "run", "--rm", "busybox", "echo", "ok"); got != "ok" {
		t.Errorf("--cgroup-manager cgroupfs run printed %q", got)
	}
	if got := env.MustBerth(t, "--cgroup-manager", "cgroupfs", "info", "--format", "{{.Host.CgroupManager}}"); got != "cgroupfs" {
		t.Errorf("--cgroup-manager cgroupfs: info reports %q", got)
	}
	if r := env.Berth("--cgroup-manager", "bogus", "info"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "bogus") {
		t.Errorf("--cgroup-manager bogus: want exit 125\n%s", r)
	}
}

func TestGlobalEventsLogfileFlag(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	events := filepath.Join(env.TmpDir, "flag-events.log")
	id := env.MustBerth(t, "--events-logfile-path", events, "run", "-d", "busybox", "true")
	env.MustBerth(t, "wait", id)
	b, err := os.ReadFile(events)
	if err != nil {
		t.Fatalf("--events-logfile-path: %v", err)
	}
	if !strings.Contains(string(b), id) || !strings.Contains(string(b), "start") {
		t.Errorf("events file lacks the start of %s:\n%s", id, b)
	}
}

func TestContainersConf(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	events := filepath.Join(env.TmpDir, "events.log")
	conf := filepath.Join(env.TmpDir, "containers.conf")
	content := "[engine]\nruntime = \"runc\"\ncgroup_manager = \"cgroupfs\"\nevents_logfile_path = \"" + events + "\"\n"
	if err := os.WriteFile(conf, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	env.Environ = append(env.Environ, "CONTAINERS_CONF="+conf)
	env.ImportBusybox(t)

	got := env.MustBerth(t, "info", "--format", "{{.Host.OCIRuntime.Name}} {{.Host.CgroupManager}}")
	if got != "runc cgroupfs" {
		t.Errorf("info with CONTAINERS_CONF = %q, want %q", got, "runc cgroupfs")
	}
	id := env.MustBerth(t, "run", "-d", "busybox", "true")
	env.MustBerth(t, "wait", id)
	b, err := os.ReadFile(events)
	if err != nil {
		t.Fatalf("events_logfile_path from containers.conf not used: %v", err)
	}
	if !strings.Contains(string(b), id) {
		t.Errorf("events file lacks container %s:\n%s", id, b)
	}

	// The file is really read: a runtime that does not exist breaks run,
	// and the command-line flag overrides it.
	bad := filepath.Join(env.TmpDir, "bad.conf")
	if err := os.WriteFile(bad, []byte("[engine]\nruntime = \"no-such-runtime\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env.Environ = []string{"CONTAINERS_CONF=" + bad}
	r := env.Berth("run", "--rm", "busybox", "true")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "no-such-runtime") {
		t.Errorf("run with containers.conf runtime=no-such-runtime: want exit 125 naming it\n%s", r)
	}
	if got := env.MustBerth(t, "--runtime", "runc", "run", "--rm", "busybox", "echo", "flag wins"); got != "flag wins" {
		t.Errorf("--runtime runc over containers.conf: %q", got)
	}
	// Leave the Env usable for its cleanup.
	env.Environ = nil
}
