package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

func writeConf(t *testing.T, name, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const fullConf = `
[containers]
init_path = "/usr/libexec/podman/catatonit"
log_driver = "k8s-file"
shm_size = "128m"
pids_limit = 4096
default_ulimits = ["nofile=1024:2048"]
env = ["A=1", "B=2"]
init = true

[engine]
runtime = "crun"
cgroup_manager = "cgroupfs"
conmon_path = ["/usr/local/bin/conmon", "/usr/bin/conmon"]
events_logger = "file"
events_logfile_path = "/var/log/berth/events.log"
detach_keys = "ctrl-q,ctrl-q"
stop_timeout = 20
static_dir = "/var/lib/berth/static"
tmp_dir = "/run/berth"
unknown_key_is_ignored = true

[engine.runtimes]
crun = ["/usr/bin/crun", "/usr/local/bin/crun"]
runc = ["/usr/sbin/runc"]

[network]
network_backend = "netavark"
`

func TestLoadContainersConf(t *testing.T) {
	p := writeConf(t, "containers.conf", fullConf)
	t.Setenv("CONTAINERS_CONF", p)
	t.Setenv("CONTAINERS_CONF_OVERRIDE", "")
	if got := Files(); !reflect.DeepEqual(got, []string{p}) {
		t.Errorf("Files() = %q, want only $CONTAINERS_CONF", got)
	}
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{}
	want.Containers.InitPath = "/usr/libexec/podman/catatonit"
	want.Containers.LogDriver = "k8s-file"
	want.Containers.ShmSize = "128m"
	want.Containers.PidsLimit = 4096
	want.Containers.DefaultUlimits = []string{"nofile=1024:2048"}
	want.Containers.Env = []string{"A=1", "B=2"}
	want.Containers.Init = true
	want.Engine.Runtime = "crun"
	want.Engine.CgroupManager = "cgroupfs"
	want.Engine.ConmonPath = []string{"/usr/local/bin/conmon", "/usr/bin/conmon"}
	want.Engine.EventsLogger = "file"
	want.Engine.EventsLogFilePath = "/var/log/berth/events.log"
	want.Engine.DetachKeys = "ctrl-q,ctrl-q"
	want.Engine.StopTimeout = 20
	want.Engine.OCIRuntimes = map[string][]string{
		"crun": {"/usr/bin/crun", "/usr/local/bin/crun"},
		"runc": {"/usr/sbin/runc"},
	}
	want.Engine.StaticDir = "/var/lib/berth/static"
	want.Engine.TmpDir = "/run/berth"
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Load() =\n%+v\nwant\n%+v", c, want)
	}
}

func TestLoadEmptyConf(t *testing.T) {
	t.Setenv("CONTAINERS_CONF", writeConf(t, "containers.conf", ""))
	t.Setenv("CONTAINERS_CONF_OVERRIDE", "")
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, &Config{}) {
		t.Errorf("Load() of an empty file = %+v, want zero config", c)
	}
}

// $CONTAINERS_CONF names a file on purpose: a missing one is an error,
// not silently skipped like the system files.
func TestLoadMissingContainersConf(t *testing.T) {
	p := filepath.Join(t.TempDir(), "nope.conf")
	t.Setenv("CONTAINERS_CONF", p)
	t.Setenv("CONTAINERS_CONF_OVERRIDE", "")
	_, err := Load()
	if err == nil || !strings.Contains(err.Error(), p) {
		t.Fatalf("Load() = %v, want an error naming %s", err, p)
	}
	if !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("Load() = %v, want it to wrap a not-exist error", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok || u.Unwrap() == nil {
			return err
		}
		err = u.Unwrap()
	}
}

func TestLoadInvalidToml(t *testing.T) {
	tests := map[string]string{
		"syntax":     "[engine\nruntime = \"crun\"\n",
		"wrong type": "[engine]\nstop_timeout = \"ten\"\n",
		"duplicate":  "[engine]\nruntime = \"a\"\nruntime = \"b\"\n",
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			p := writeConf(t, "containers.conf", data)
			t.Setenv("CONTAINERS_CONF", p)
			t.Setenv("CONTAINERS_CONF_OVERRIDE", "")
			_, err := Load()
			if err == nil || !strings.Contains(err.Error(), p) {
				t.Fatalf("Load() = %v, want a parse error naming %s", err, p)
			}
		})
	}
}

func TestFilesWithoutContainersConf(t *testing.T) {
	override := writeConf(t, "override.conf", "")
	t.Setenv("CONTAINERS_CONF", "")
	t.Setenv("CONTAINERS_CONF_OVERRIDE", override)
	files := Files()
	idx := func(p string) int {
		for i, f := range files {
			if f == p {
				return i
			}
		}
		return -1
	}
	usr, etc := idx("/usr/share/containers/containers.conf"), idx("/etc/containers/containers.conf")
	if usr < 0 || etc < 0 || usr > etc {
		t.Errorf("Files() = %q, want /usr/share before /etc", files)
	}
	if files[len(files)-1] != override {
		t.Errorf("Files() = %q, want $CONTAINERS_CONF_OVERRIDE last", files)
	}
	for _, f := range files[usr+1 : etc] {
		if !strings.HasPrefix(f, "/usr/share/containers/containers.conf.d/") || !strings.HasSuffix(f, ".conf") {
			t.Errorf("unexpected file %q between /usr/share and /etc", f)
		}
	}
}

// The override file is read last and wins field by field over the system
// files; fields it does not set keep their values.
func TestOverrideWinsOverSystemFiles(t *testing.T) {
	override := writeConf(t, "override.conf", "[engine]\nruntime = \"override-runtime\"\nstop_timeout = 42\n")
	t.Setenv("CONTAINERS_CONF", "")
	t.Setenv("CONTAINERS_CONF_OVERRIDE", override)
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if c.Engine.Runtime != "override-runtime" || c.Engine.StopTimeout != 42 {
		t.Errorf("engine = %+v, want the override's runtime and stop_timeout", c.Engine)
	}
}

// CONTAINERS_CONF replaces the system files, but CONTAINERS_CONF_OVERRIDE
// still applies on top of it: containers/common's contract ("The _OVERRIDE
// variable _must_ always win"), which podman's CI relies on.
func TestOverrideAppliesOnTopOfContainersConf(t *testing.T) {
	base := writeConf(t, "base.conf", `
[containers]
log_driver = "k8s-file"
[engine]
runtime = "runc"
stop_timeout = 5
[engine.runtimes]
runc = ["/usr/sbin/runc"]
`)
	override := writeConf(t, "override.conf", `
[engine]
runtime = "crun"
[engine.runtimes]
crun = ["/usr/bin/crun"]
`)
	t.Setenv("CONTAINERS_CONF", base)
	t.Setenv("CONTAINERS_CONF_OVERRIDE", override)
	if got, want := Files(), []string{base, override}; !reflect.DeepEqual(got, want) {
		t.Errorf("Files() = %q, want %q", got, want)
	}
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if c.Engine.Runtime != "crun" {
		t.Errorf("runtime = %q, want the override's crun", c.Engine.Runtime)
	}
	// Fields the override does not set keep the base's values.
	if c.Engine.StopTimeout != 5 || c.Containers.LogDriver != "k8s-file" {
		t.Errorf("stop_timeout %d log_driver %q, want the base's 5 and k8s-file", c.Engine.StopTimeout, c.Containers.LogDriver)
	}
	if len(c.Engine.OCIRuntimes["runc"]) != 1 || len(c.Engine.OCIRuntimes["crun"]) != 1 {
		t.Errorf("runtimes = %v, want the tables of both files merged", c.Engine.OCIRuntimes)
	}
}

// Missing system files are not an error.
func TestLoadSystemFilesOnly(t *testing.T) {
	t.Setenv("CONTAINERS_CONF", "")
	t.Setenv("CONTAINERS_CONF_OVERRIDE", "")
	if _, err := Load(); err != nil {
		t.Fatalf("Load() with only system files = %v", err)
	}
}

func TestBlankComments(t *testing.T) {
	in := "# top\n[engine]\n  # indented comment\nruntime = \"runc\" # trailing\n\n#[containers]\n"
	want := "\n[engine]\n\nruntime = \"runc\" # trailing\n\n\n"
	if got := blankComments([]byte(in)); got != want {
		t.Errorf("blankComments = %q, want %q", got, want)
	}
	// In a multi-line string a '#' line is content: the file is kept.
	ml := "[containers]\nlabel = '''\n# not a comment\n'''\n"
	if got := blankComments([]byte(ml)); got != ml {
		t.Errorf("multi-line string file changed: %q", got)
	}
}

func BenchmarkLoadDistributionConf(b *testing.B) {
	data, err := os.ReadFile("/usr/share/containers/containers.conf")
	if err != nil {
		b.Skip(err)
	}
	for i := 0; i < b.N; i++ {
		var c Config
		if _, err := toml.Decode(blankComments(data), &c); err != nil {
			b.Fatal(err)
		}
	}
}
