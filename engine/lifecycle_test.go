package engine

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/define"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestNewContainerDefaults(t *testing.T) {
	e := newTestEnv(t)
	c := e.newCtr()

	cfg := c.Config()
	if cfg.StopSignal != uint(syscall.SIGTERM) || cfg.StopTimeout != 10 {
		t.Errorf("stop signal/timeout = %d/%d, want 15/10", cfg.StopSignal, cfg.StopTimeout)
	}
	if cfg.OCIRuntime != "fake" {
		t.Errorf("OCIRuntime = %q, want the runtime default %q", cfg.OCIRuntime, "fake")
	}
	if len(cfg.ID) != 64 {
		t.Errorf("ID %q is not 64 characters", cfg.ID)
	}
	if err := ValidateName(cfg.Name); err != nil {
		t.Errorf("generated name: %v", err)
	}
	if cfg.Hostname != cfg.ID[:12] {
		t.Errorf("Hostname = %q, want the short ID %q", cfg.Hostname, cfg.ID[:12])
	}
	if st := e.dbState(c); st.Status != define.StatusConfigured {
		t.Errorf("status = %s, want configured", st.Status)
	}
	spec, err := e.st.ContainerSpec(c.ID())
	if err != nil {
		t.Fatal(err)
	}
	if spec.Hostname != cfg.ID[:12] {
		t.Errorf("spec hostname = %q, want %q", spec.Hostname, cfg.ID[:12])
	}
	if want := "/berth/berth-" + cfg.ID; spec.Linux.CgroupsPath != want {
		t.Errorf("cgroups path = %q, want %q", spec.Linux.CgroupsPath, want)
	}
	if fi, err := os.Stat(cfg.StaticDir); err != nil || !fi.IsDir() {
		t.Errorf("static dir %s: %v", cfg.StaticDir, err)
	}
	if got := e.eventStatuses(c); got != "create" {
		t.Errorf("events = %q, want %q", got, "create")
	}
	if calls := e.oci.callsFor(c.ID()); len(calls) != 0 {
		t.Errorf("create touched the OCI runtime: %v", calls)
	}
}

func TestNewContainerSystemdCgroup(t *testing.T) {
	e := newTestEnv(t)
	e.r.cfg.CgroupManager = "systemd"
	c := e.newCtr(WithCgroupParent("my.slice"))
	spec, err := e.st.ContainerSpec(c.ID())
	if err != nil {
		t.Fatal(err)
	}
	if want := "my.slice:berth:" + c.ID(); spec.Linux.CgroupsPath != want {
		t.Errorf("cgroups path = %q, want %q", spec.Linux.CgroupsPath, want)
	}
}

func TestNewContainerErrors(t *testing.T) {
	e := newTestEnv(t)
	taken := e.newCtr(WithName("taken"))
	tests := []struct {
		name    string
		spec    *specs.Spec
		opts    []CtrOption
		wantErr error
	}{
		{"nil spec", nil, []CtrOption{WithRootfs(e.rootfs)}, define.ErrInvalidArg},
		{"no rootfs or image", testSpec(), nil, define.ErrInvalidArg},
		{"bad option", testSpec(), []CtrOption{WithRootfs(e.rootfs), WithStopSignal(0)}, define.ErrInvalidArg},
		{"invalid name", testSpec(), []CtrOption{WithRootfs(e.rootfs), WithName("-bad")}, define.ErrInvalidArg},
		{"name in use", testSpec(), []CtrOption{WithRootfs(e.rootfs), WithName(taken.Name())}, define.ErrNameInUse},
		{"unknown runtime", testSpec(), []CtrOption{WithRootfs(e.rootfs), WithOCIRuntime("nope")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.r.NewContainer(e.ctx, tt.spec, tt.opts...)
			if err == nil {
				t.Fatal("NewContainer() = nil error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("NewContainer() = %v, want %v", err, tt.wantErr)
			}
			recs, err := e.st.Containers()
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 1 {
				t.Errorf("store has %d containers after a failed create, want 1", len(recs))
			}
			dirs, _ := os.ReadDir(e.cfg.staticDir())
			if len(dirs) != 1 {
				t.Errorf("static dir has %d entries after a failed create, want 1", len(dirs))
			}
		})
	}
}

var generatedName = regexp.MustCompile(`^[a-z]+_[a-z]+$`)

func TestNameGeneration(t *testing.T) {
	e := newTestEnv(t)
	seen := map[string]bool{}
	for i := 0; i < 50; i++ {
		c := e.newCtr()
		n := c.Name()
		if !generatedName.MatchString(n) {
			t.Errorf("generated name %q is not adjective_surname", n)
		}
		if err := ValidateName(n); err != nil {
			t.Errorf("generated name %q: %v", n, err)
		}
		if seen[n] {
			t.Errorf("generated name %q twice", n)
		}
		seen[n] = true
	}
	// An empty WithName keeps the generated name.
	c := e.newCtr(WithName(""))
	if !generatedName.MatchString(c.Name()) {
		t.Errorf("WithName(\"\") gave %q, want a generated name", c.Name())
	}
}

func TestValidateName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"a", true},
		{"web", true},
		{"Web-1", true},
		{"a.b_c-d", true},
		{"1abc", true},
		{"a__", true},
		{"", false},
		{"-a", false},
		{"_a", false},
		{".a", false},
		{"a/b", false},
		{"a b", false},
		{"a:b", false},
		{"ä", false},
		{"aä", false},
		{"a\n", false},
	}
	for _, tt := range tests {
		err := ValidateName(tt.name)
		if tt.ok && err != nil {
			t.Errorf("ValidateName(%q) = %v, want nil", tt.name, err)
		}
		if !tt.ok {
			if !errors.Is(err, define.ErrInvalidArg) {
				t.Errorf("ValidateName(%q) = %v, want ErrInvalidArg", tt.name, err)
			} else if !strings.Contains(err.Error(), strconv.Quote(tt.name)) {
				t.Errorf("ValidateName(%q) = %q, does not name the bad name", tt.name, err)
			}
		}
	}
}

func TestCtrOptions(t *testing.T) {
	ports := []define.PortMapping{{HostPort: 8080, ContainerPort: 80, Protocol: "tcp"}}
	tests := []struct {
		name    string
		opts    []CtrOption
		want    func(c *define.ContainerConfig) // sets the expected fields on a zero config
		wantErr bool
	}{
		{"name", []CtrOption{WithName("web")}, func(c *define.ContainerConfig) { c.Name = "web" }, false},
		{"bad name", []CtrOption{WithName("we b")}, nil, true},
		{"image", []CtrOption{WithImage("sha", "alpine")}, func(c *define.ContainerConfig) { c.ImageID, c.ImageName = "sha", "alpine" }, false},
		{"rootfs", []CtrOption{WithRootfs("/r")}, func(c *define.ContainerConfig) { c.Rootfs = "/r" }, false},
		{"labels", []CtrOption{WithLabels(map[string]string{"a": "b"})}, func(c *define.ContainerConfig) { c.Labels = map[string]string{"a": "b"} }, false},
		{"command", []CtrOption{WithCommand([]string{"/init"}, []string{"-v"})}, func(c *define.ContainerConfig) {
			c.Entrypoint, c.Cmd, c.Command = []string{"/init"}, []string{"-v"}, []string{"/init", "-v"}
		}, false},
		{"command without entrypoint", []CtrOption{WithCommand(nil, []string{"sh"})}, func(c *define.ContainerConfig) {
			c.Cmd, c.Command = []string{"sh"}, []string{"sh"}
		}, false},
		{"user", []CtrOption{WithUser("1000:1000")}, func(c *define.ContainerConfig) { c.User = "1000:1000" }, false},
		{"stop signal", []CtrOption{WithStopSignal(2)}, func(c *define.ContainerConfig) { c.StopSignal = 2 }, false},
		{"stop signal 64", []CtrOption{WithStopSignal(64)}, func(c *define.ContainerConfig) { c.StopSignal = 64 }, false},
		{"stop signal 0", []CtrOption{WithStopSignal(0)}, nil, true},
		{"stop signal 65", []CtrOption{WithStopSignal(65)}, nil, true},
		{"stop timeout", []CtrOption{WithStopTimeout(0)}, func(c *define.ContainerConfig) { c.StopTimeout = 0 }, false},
		{"terminal", []CtrOption{WithTerminal(true, true)}, func(c *define.ContainerConfig) { c.Terminal, c.Stdin = true, true }, false},
		{"auto remove", []CtrOption{WithAutoRemove()}, func(c *define.ContainerConfig) { c.AutoRemove = true }, false},
		{"restart always", []CtrOption{WithRestartPolicy("always", 0)}, func(c *define.ContainerConfig) { c.Restart = "always" }, false},
		{"restart on-failure:3", []CtrOption{WithRestartPolicy("on-failure", 3)}, func(c *define.ContainerConfig) { c.Restart, c.RestartMax = "on-failure", 3 }, false},
		{"restart unless-stopped", []CtrOption{WithRestartPolicy("unless-stopped", 0)}, func(c *define.ContainerConfig) { c.Restart = "unless-stopped" }, false},
		{"restart no", []CtrOption{WithRestartPolicy("no", 0)}, func(c *define.ContainerConfig) { c.Restart = "no" }, false},
		{"restart bogus", []CtrOption{WithRestartPolicy("sometimes", 0)}, nil, true},
		{"restart always:3", []CtrOption{WithRestartPolicy("always", 3)}, nil, true},
		{"cgroup parent", []CtrOption{WithCgroupParent("p")}, func(c *define.ContainerConfig) { c.CgroupParent = "p" }, false},
		{"shm size", []CtrOption{WithShmSize(1 << 20)}, func(c *define.ContainerConfig) { c.ShmSize = 1 << 20 }, false},
		{"init", []CtrOption{WithInit("/usr/libexec/catatonit")}, func(c *define.ContainerConfig) { c.Init, c.InitPath = true, "/usr/libexec/catatonit" }, false},
		{"hostname", []CtrOption{WithHostname("h")}, func(c *define.ContainerConfig) { c.Hostname = "h" }, false},
		{"dns", []CtrOption{WithDNS([]string{"1.1.1.1"}, []string{"example.com"}, []string{"ndots:2"})}, func(c *define.ContainerConfig) {
			c.DNSServers, c.DNSSearch, c.DNSOptions = []string{"1.1.1.1"}, []string{"example.com"}, []string{"ndots:2"}
		}, false},
		{"hosts", []CtrOption{WithHosts([]string{"db:10.0.0.2"}, true)}, func(c *define.ContainerConfig) { c.HostAdd, c.NoHosts = []string{"db:10.0.0.2"}, true }, false},
		{"net mode", []CtrOption{WithNetMode("bridge", []string{"n1"})}, func(c *define.ContainerConfig) { c.NetMode, c.Networks = "bridge", []string{"n1"} }, false},
		{"ports", []CtrOption{WithPorts(ports)}, func(c *define.ContainerConfig) { c.Ports = ports }, false},
		{"exposed", []CtrOption{WithExposed(map[string]struct{}{"80/tcp": {}})}, func(c *define.ContainerConfig) { c.Exposed = map[string]struct{}{"80/tcp": {}} }, false},
		{"seccomp", []CtrOption{WithSeccomp("unconfined")}, func(c *define.ContainerConfig) { c.Seccomp = "unconfined" }, false},
		{"privileged", []CtrOption{WithPrivileged()}, func(c *define.ContainerConfig) { c.Privileged = true }, false},
		{"read only", []CtrOption{WithReadOnly()}, func(c *define.ContainerConfig) { c.ReadOnly = true }, false},
		{"oci runtime", []CtrOption{WithOCIRuntime("crun")}, func(c *define.ContainerConfig) { c.OCIRuntime = "crun" }, false},
		{"log driver", []CtrOption{WithLogDriver("k8s-file", "/l")}, func(c *define.ContainerConfig) { c.LogDriver, c.LogPath = "k8s-file", "/l" }, false},
		{"log driver none", []CtrOption{WithLogDriver("none", "")}, func(c *define.ContainerConfig) { c.LogDriver = "none" }, false},
		{"log driver json-file", []CtrOption{WithLogDriver("json-file", "")}, nil, true},
		{"user volumes", []CtrOption{WithUserVolumes([]string{"/data"})}, func(c *define.ContainerConfig) { c.UserVolumes = []string{"/data"} }, false},
		{"create command", []CtrOption{WithCreateCommand([]string{"berth", "run"})}, func(c *define.ContainerConfig) { c.CreateCommand = []string{"berth", "run"} }, false},
		{"shared namespaces", []CtrOption{WithSharedNamespace("net", "a"), WithSharedNamespace("ipc", "b")}, func(c *define.ContainerConfig) {
			c.Namespaces = map[string]string{"net": "a", "ipc": "b"}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := &define.ContainerConfig{}
			var err error
			for _, o := range tt.opts {
				if err = o(got); err != nil {
					break
				}
			}
			if tt.wantErr {
				if !errors.Is(err, define.ErrInvalidArg) {
					t.Fatalf("option error = %v, want ErrInvalidArg", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("option error = %v", err)
			}
			want := &define.ContainerConfig{}
			tt.want(want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("config = %+v\nwant     %+v", got, want)
			}
		})
	}
}

// WithCommand must not alias the caller's entrypoint slice in Command.
func TestWithCommandDoesNotAlias(t *testing.T) {
	ep := make([]string, 1, 4)
	ep[0] = "/init"
	c := &define.ContainerConfig{}
	if err := WithCommand(ep, []string{"x"})(c); err != nil {
		t.Fatal(err)
	}
	c.Command[0] = "changed"
	if ep[0] != "/init" {
		t.Errorf("WithCommand aliased the entrypoint: %q", ep[0])
	}
}

func TestStartWritesBundleAndRecordsState(t *testing.T) {
	e := newTestEnv(t)
	c := e.newCtr(WithUser("nobody"), WithName("web"))
	before := time.Now()
	if err := c.Start(e.ctx); err != nil {
		t.Fatal(err)
	}
	st := e.dbState(c)
	if st.Status != define.StatusRunning || st.PID == 0 || st.ConmonPID != os.Getpid() {
		t.Errorf("state = %s pid %d conmon %d, want running with pids", st.Status, st.PID, st.ConmonPID)
	}
	if st.StartedTime.Before(before.Add(-time.Second)) || !st.FinishedTime.IsZero() {
		t.Errorf("started %v finished %v", st.StartedTime, st.FinishedTime)
	}
	if st.Mountpoint != e.rootfs || st.RunDir != c.bundleDir() {
		t.Errorf("mountpoint %q rundir %q, want %q %q", st.Mountpoint, st.RunDir, e.rootfs, c.bundleDir())
	}
	data, err := os.ReadFile(filepath.Join(c.bundleDir(), "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var spec specs.Spec
	if err := json.Unmarshal(data, &spec); err != nil {
		t.Fatal(err)
	}
	if spec.Root.Path != e.rootfs {
		t.Errorf("root path = %q, want %q", spec.Root.Path, e.rootfs)
	}
	if u := spec.Process.User; u.UID != 65534 || u.GID != 65534 {
		t.Errorf("user = %d:%d, want 65534:65534 (nobody from the rootfs passwd)", u.UID, u.GID)
	}
	if !slices.Contains(spec.Process.Env, "HOME=/nonexistent") {
		t.Errorf("env %v lacks HOME from passwd", spec.Process.Env)
	}
	var dests []string
	for _, m := range spec.Mounts {
		dests = append(dests, m.Destination)
	}
	for _, d := range []string{"/etc/hosts", "/etc/resolv.conf", "/etc/hostname"} {
		if !slices.Contains(dests, d) {
			t.Errorf("mounts %v lack %s", dests, d)
		}
	}
	opts := e.oci.createOptions(c.ID())
	wantExit := []string{"/usr/bin/berth", "--root", e.cfg.GraphRoot, "--runroot", e.cfg.RunRoot, "--runtime", "fake", "container", "cleanup", c.ID()}
	if !reflect.DeepEqual(opts.ExitCommand, wantExit) {
		t.Errorf("exit command = %q\nwant %q", opts.ExitCommand, wantExit)
	}
	if opts.LogDriver != "k8s-file" || opts.LogPath != c.LogPath() || opts.BundleDir != c.bundleDir() || opts.Name != "web" {
		t.Errorf("create options = %+v", opts)
	}
	if got, want := e.eventStatuses(c), "create init start"; got != want {
		t.Errorf("events = %q, want %q", got, want)
	}
	if got, want := e.oci.opsFor(c.ID()), "create start"; got != want {
		t.Errorf("runtime calls = %q, want %q", got, want)
	}
}

func TestExitCommandAutoRemove(t *testing.T) {
	e := newTestEnv(t)
	c := e.newCtr(WithAutoRemove())
	if err := c.Init(e.ctx); err != nil {
		t.Fatal(err)
	}
	ec := e.oci.createOptions(c.ID()).ExitCommand
	if len(ec) < 3 || ec[len(ec)-3] != "cleanup" || ec[len(ec)-2] != "--rm" || ec[len(ec)-1] != c.ID() {
		t.Errorf("exit command = %q, want ... cleanup --rm ID", ec)
	}
}

func TestStartUnknownUser(t *testing.T) {
	e := newTestEnv(t)
	c := e.newCtr(WithUser("nosuchuser"))
	err := c.Start(e.ctx)
	if !errors.Is(err, define.ErrNoSuchUser) {
		t.Fatalf("Start() = %v, want ErrNoSuchUser", err)
	}
	if st := e.dbState(c); st.Status != define.StatusConfigured {
		t.Errorf("status = %s, want configured", st.Status)
	}
	if calls := e.oci.callsFor(c.ID()); len(calls) != 0 {
		t.Errorf("runtime called: %v", calls)
	}
	if _, err := os.Stat(c.bundleDir()); !os.IsNotExist(err) {
		t.Errorf("bundle dir left behind: %v", err)
	}
	e.lockFree(c)
}

// An executable the runtime cannot find at start: the container ends up
// exited with docker's 127, its runtime record deleted.
func TestStartExecutableNotFound(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantCode int32
	}{
		{"not found", errNotFoundExecutable(), 127},
		{"permission denied", errors.Join(errors.New("exec /x: permission denied"), define.ErrOCIRuntimePermissionDenied), 126},
		{"other runtime error", define.ErrOCIRuntime, 126},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			c := e.newCtr()
			e.oci.setErr("start", tt.err)
			err := c.Start(e.ctx)
			if !errors.Is(err, tt.err) {
				t.Fatalf("Start() = %v, want it to wrap %v", err, tt.err)
			}
			if !strings.Contains(err.Error(), c.Name()) {
				t.Errorf("error %q does not name the container", err)
			}
			st := e.dbState(c)
			if st.Status != define.StatusExited || st.ExitCode != tt.wantCode || st.Error == "" || st.FinishedTime.IsZero() {
				t.Errorf("state = %s code %d error %q finished %v; want exited %d with error", st.Status, st.ExitCode, st.Error, st.FinishedTime, tt.wantCode)
			}
			if got, want := e.oci.opsFor(c.ID()), "create start delete"; got != want {
				t.Errorf("runtime calls = %q, want %q", got, want)
			}
			code, err := c.Wait(e.ctx)
			if err != nil || code != tt.wantCode {
				t.Errorf("Wait() = %d, %v; want %d", code, err, tt.wantCode)
			}
			// A later start tries again from scratch.
			e.oci.setErr("start", nil)
			if err := c.Start(e.ctx); err != nil {
				t.Fatalf("second Start() = %v", err)
			}
			if st := e.dbState(c); st.Status != define.StatusRunning || st.ExitCode != 0 || st.Error != "" {
				t.Errorf("after retry: %s code %d error %q", st.Status, st.ExitCode, st.Error)
			}
			e.lockFree(c)
		})
	}
}

// A create that fails (runc and crun usually notice a missing executable
// at create time) leaves the container configured and nothing behind.
func TestCreateFailureRollsBack(t *testing.T) {
	e := newTestEnv(t)
	c := e.newCtr()
	e.oci.setErr("create", errNotFoundExecutable())
	err := c.Start(e.ctx)
	if !errors.Is(err, define.ErrOCIRuntimeNotFound) {
		t.Fatalf("Start() = %v, want ErrOCIRuntimeNotFound", err)
	}
	if st := e.dbState(c); st.Status != define.StatusConfigured || st.PID != 0 {
		t.Errorf("state = %s pid %d, want configured", st.Status, st.PID)
	}
	if _, err := os.Stat(c.bundleDir()); !os.IsNotExist(err) {
		t.Errorf("bundle dir left behind: %v", err)
	}
	e.lockFree(c)
}

func TestStopSendsStopSignal(t *testing.T) {
	tests := []struct {
		name     string
		opts     []CtrOption
		wantOps  string
		wantCode int32
	}{
		{"default SIGTERM", nil, "create start kill(15,all=false) delete", 143},
		{"custom SIGINT", []CtrOption{WithStopSignal(uint(syscall.SIGINT))}, "create start kill(2,all=false) delete", 130},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			c := e.ctrIn(define.StatusRunning, tt.opts...)
			if err := c.Stop(e.ctx, nil); err != nil {
				t.Fatal(err)
			}
			st := e.dbState(c)
			if st.Status != define.StatusExited || st.ExitCode != tt.wantCode || !st.StoppedByUser || st.PID != 0 || st.ConmonPID != 0 {
				t.Errorf("state = %+v; want exited %d, stopped by user, no pids", st, tt.wantCode)
			}
			if got := e.oci.opsFor(c.ID()); got != tt.wantOps {
				t.Errorf("runtime calls = %q, want %q", got, tt.wantOps)
			}
			if got, want := e.eventStatuses(c), "create init start died stop"; got != want {
				t.Errorf("events = %q, want %q", got, want)
			}
			// Stopping again is a no-op.
			if err := c.Stop(e.ctx, nil); err != nil {
				t.Errorf("second Stop() = %v", err)
			}
			if got := e.oci.opsFor(c.ID()); got != tt.wantOps {
				t.Errorf("second stop called the runtime: %q", got)
			}
		})
	}
}

func TestStopFallsBackToSIGKILL(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning)
	e.oci.ignoreSignal(syscall.SIGTERM)
	start := time.Now()
	if err := c.Stop(e.ctx, uintPtr(1)); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < time.Second {
		t.Errorf("Stop() returned after %v, before the 1s timeout", d)
	}
	if got, want := e.oci.opsFor(c.ID()), "create start kill(15,all=false) kill(9,all=true) delete"; got != want {
		t.Errorf("runtime calls = %q, want %q", got, want)
	}
	if st := e.dbState(c); st.Status != define.StatusExited || st.ExitCode != 137 {
		t.Errorf("state = %s code %d, want exited 137", st.Status, st.ExitCode)
	}
	e.lockFree(c)
}

func TestStopTimeoutZeroKillsAtOnce(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning, WithStopTimeout(0))
	if err := c.Stop(e.ctx, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := e.oci.opsFor(c.ID()), "create start kill(9,all=true) delete"; got != want {
		t.Errorf("runtime calls = %q, want %q", got, want)
	}
	if st := e.dbState(c); st.Status != define.StatusExited || st.ExitCode != 137 {
		t.Errorf("state = %s code %d, want exited 137", st.Status, st.ExitCode)
	}
}

func TestStopPausedResumesIt(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusPaused)
	if err := c.Stop(e.ctx, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := e.oci.opsFor(c.ID()), "create start pause kill(15,all=false) resume delete"; got != want {
		t.Errorf("runtime calls = %q, want %q", got, want)
	}
	if st := e.dbState(c); st.Status != define.StatusExited || st.ExitCode != 143 {
		t.Errorf("state = %s code %d, want exited 143", st.Status, st.ExitCode)
	}
}

func TestStopKillErrorKeepsContainer(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning)
	boom := errors.New("runtime exploded")
	e.oci.setErr("kill", boom)
	if err := c.Stop(e.ctx, nil); !errors.Is(err, boom) {
		t.Fatalf("Stop() = %v, want %v", err, boom)
	}
	e.lockFree(c)
	e.oci.setErr("kill", nil)
	if err := c.Stop(e.ctx, nil); err != nil {
		t.Fatalf("Stop() retry = %v", err)
	}
	if st := e.dbState(c); st.Status != define.StatusExited {
		t.Errorf("status = %s, want exited", st.Status)
	}
}

func TestKill(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning)
	e.oci.ignoreSignal(syscall.SIGUSR1)
	if err := c.Kill(e.ctx, syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	st, err := c.State()
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != define.StatusRunning || !st.StoppedByUser {
		t.Errorf("state = %s stoppedByUser %t, want running and marked", st.Status, st.StoppedByUser)
	}
	if got, want := e.oci.opsFor(c.ID()), "create start kill(10,all=false)"; got != want {
		t.Errorf("runtime calls = %q, want %q", got, want)
	}
	var sig string
	_ = e.r.Events().Read(e.ctx, eventsAll, func(ev define.Event) error {
		if ev.ID == c.ID() && ev.Status == "kill" {
			sig = ev.Attributes["signal"]
		}
		return nil
	})
	if sig != "10" {
		t.Errorf("kill event signal = %q, want 10", sig)
	}
	if err := c.Kill(e.ctx, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if st, _ := c.State(); st.Status != define.StatusStopped || st.ExitCode != 143 {
		t.Errorf("after SIGTERM: %s code %d, want stopped 143", st.Status, st.ExitCode)
	}
}

func TestPauseUnpause(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning)
	if err := c.Pause(e.ctx); err != nil {
		t.Fatal(err)
	}
	if st := e.dbState(c); st.Status != define.StatusPaused || e.oci.status(c.ID()) != "paused" {
		t.Errorf("after pause: %s / runtime %s", st.Status, e.oci.status(c.ID()))
	}
	if err := c.Unpause(e.ctx); err != nil {
		t.Fatal(err)
	}
	if st := e.dbState(c); st.Status != define.StatusRunning || e.oci.status(c.ID()) != "running" {
		t.Errorf("after unpause: %s / runtime %s", st.Status, e.oci.status(c.ID()))
	}
	if got, want := e.eventStatuses(c), "create init start pause unpause"; got != want {
		t.Errorf("events = %q, want %q", got, want)
	}
	// A runtime failure leaves the status alone.
	e.oci.setErr("pause", define.ErrOCIRuntime)
	if err := c.Pause(e.ctx); !errors.Is(err, define.ErrOCIRuntime) {
		t.Fatalf("Pause() = %v, want ErrOCIRuntime", err)
	}
	if st := e.dbState(c); st.Status != define.StatusRunning {
		t.Errorf("after failed pause: %s, want running", st.Status)
	}
	e.lockFree(c)
}

func TestRestart(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning)
	first := e.dbState(c).StartedTime
	time.Sleep(5 * time.Millisecond)
	if err := c.Restart(e.ctx, nil); err != nil {
		t.Fatal(err)
	}
	st := e.dbState(c)
	if st.Status != define.StatusRunning || st.StoppedByUser || st.ExitCode != 0 {
		t.Errorf("state = %s stoppedByUser %t code %d, want running, not stopped by user, code 0", st.Status, st.StoppedByUser, st.ExitCode)
	}
	if !st.StartedTime.After(first) {
		t.Errorf("StartedTime %v not after the first start %v", st.StartedTime, first)
	}
	if got, want := e.oci.opsFor(c.ID()), "create start kill(15,all=false) delete create start"; got != want {
		t.Errorf("runtime calls = %q, want %q", got, want)
	}
	if got, want := e.eventStatuses(c), "create init start died stop restart init start"; got != want {
		t.Errorf("events = %q, want %q", got, want)
	}
}

// A user's restart is not a restart-policy restart: docker
// (ResetRestartManager(true)) and podman (reinit with retainRetries=false)
// both reset the count, which also gives on-failure its retries back.
func TestRestartResetsRestartCount(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning)
	if err := c.Restart(e.ctx, nil); err != nil {
		t.Fatal(err)
	}
	if got := e.dbState(c).RestartCount; got != 0 {
		t.Errorf("RestartCount after a user restart = %d, want 0", got)
	}
}

// exitAndCleanup plays conmon: the process exits and the exit command runs.
func (e *testEnv) exitAndCleanup(c *Container, code int, remove bool) {
	e.t.Helper()
	if err := e.oci.exit(c.ID(), code); err != nil {
		e.t.Fatal(err)
	}
	// The exit command is another process: it looks the container up anew.
	h, err := e.r.LookupContainer(c.ID())
	if err != nil {
		e.t.Fatal(err)
	}
	if err := h.Cleanup(e.ctx, remove); err != nil {
		e.t.Fatalf("Cleanup() = %v", err)
	}
}

func TestCleanup(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning)
	e.exitAndCleanup(c, 3, false)
	st := e.dbState(c)
	if st.Status != define.StatusExited || st.ExitCode != 3 || st.PID != 0 || st.ConmonPID != 0 || st.FinishedTime.IsZero() {
		t.Errorf("state = %+v, want exited 3 without pids", st)
	}
	if st.StoppedByUser {
		t.Error("an exit on its own is marked as stopped by user")
	}
	if got := e.oci.status(c.ID()); got != "" {
		t.Errorf("runtime still knows the container (%s)", got)
	}
	if got, want := e.eventStatuses(c), "create init start died cleanup"; got != want {
		t.Errorf("events = %q, want %q", got, want)
	}
	// A second, stale cleanup changes nothing.
	if err := c.Cleanup(e.ctx, false); err != nil {
		t.Fatal(err)
	}
	if after := e.dbState(c); !reflect.DeepEqual(after, st) {
		t.Errorf("second cleanup changed the state: %+v", after)
	}
	e.lockFree(c)
}

func TestCleanupRemove(t *testing.T) {
	tests := []struct {
		name   string
		opts   []CtrOption
		remove bool
	}{
		{"--rm flag", nil, true},
		{"auto remove config", []CtrOption{WithAutoRemove()}, false},
		{"auto remove wins over restart policy", []CtrOption{WithAutoRemove(), WithRestartPolicy("always", 0)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			c := e.ctrIn(define.StatusRunning, tt.opts...)
			e.exitAndCleanup(c, 5, tt.remove)
			if e.exists(c) {
				t.Fatalf("container still exists as %s", e.dbState(c).Status)
			}
			code, err := e.st.RemovedExitCode(c.ID())
			if err != nil || code != 5 {
				t.Errorf("RemovedExitCode() = %d, %v; want 5", code, err)
			}
			for _, p := range []string{c.bundleDir(), c.staticDir(), e.oci.ExitFilePath(c.ID())} {
				if _, err := os.Stat(p); !os.IsNotExist(err) {
					t.Errorf("%s left behind: %v", p, err)
				}
			}
			if got, want := e.eventStatuses(c), "create init start died cleanup remove"; got != want {
				t.Errorf("events = %q, want %q", got, want)
			}
			// The exit command may run twice; the second finds nothing.
			if err := c.Cleanup(e.ctx, true); err != nil {
				t.Errorf("Cleanup() of a removed container = %v", err)
			}
		})
	}
}

func TestCleanupRestartPolicy(t *testing.T) {
	tests := []struct {
		name        string
		policy      string
		max         uint
		codes       []int // successive exit codes
		wantStatus  define.ContainerStatus
		wantRestart int
	}{
		{"no policy", "", 0, []int{1}, define.StatusExited, 0},
		{"no", "no", 0, []int{1}, define.StatusExited, 0},
		{"always after success", "always", 0, []int{0}, define.StatusRunning, 1},
		{"always after failure", "always", 0, []int{1, 0, 2}, define.StatusRunning, 3},
		{"unless-stopped", "unless-stopped", 0, []int{0}, define.StatusRunning, 1},
		{"on-failure after success", "on-failure", 0, []int{0}, define.StatusExited, 0},
		{"on-failure after failure", "on-failure", 0, []int{1}, define.StatusRunning, 1},
		{"on-failure unlimited", "on-failure", 0, []int{1, 1, 1, 1}, define.StatusRunning, 4},
		{"on-failure:2 exhausted", "on-failure", 2, []int{1, 1, 1}, define.StatusExited, 2},
		{"on-failure:2 success ends it", "on-failure", 2, []int{1, 0}, define.StatusExited, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			c := e.ctrIn(define.StatusRunning, WithRestartPolicy(tt.policy, tt.max))
			for _, code := range tt.codes {
				if st := e.dbState(c); st.Status != define.StatusRunning {
					t.Fatalf("before exit %d: %s, want running", code, st.Status)
				}
				e.exitAndCleanup(c, code, false)
			}
			st := e.dbState(c)
			if st.Status != tt.wantStatus || st.RestartCount != tt.wantRestart {
				t.Errorf("state = %s restarts %d, want %s restarts %d", st.Status, st.RestartCount, tt.wantStatus, tt.wantRestart)
			}
			if tt.wantStatus == define.StatusExited && st.ExitCode != int32(tt.codes[len(tt.codes)-1]) {
				t.Errorf("exit code = %d, want %d", st.ExitCode, tt.codes[len(tt.codes)-1])
			}
			e.lockFree(c)
		})
	}
}

// A stop by the user is final whatever the policy: conmon's exit command
// runs after stop's own cleanup and must not bring the container back.
func TestCleanupAfterUserStopDoesNotRestart(t *testing.T) {
	for _, policy := range []string{"always", "unless-stopped", "on-failure"} {
		t.Run(policy, func(t *testing.T) {
			e := newTestEnv(t)
			c := e.ctrIn(define.StatusRunning, WithRestartPolicy(policy, 0))
			if err := c.Stop(e.ctx, nil); err != nil {
				t.Fatal(err)
			}
			if err := c.Cleanup(e.ctx, false); err != nil {
				t.Fatal(err)
			}
			if st := e.dbState(c); st.Status != define.StatusExited {
				t.Errorf("status = %s, want exited", st.Status)
			}
			if got, want := e.oci.opsFor(c.ID()), "create start kill(15,all=false) delete"; got != want {
				t.Errorf("runtime calls = %q, want %q", got, want)
			}
		})
	}
}

// Cleanup of a container that is still running (a stale exit command) or
// was never started must leave it alone; in particular a restart policy
// must not start a container that never ran (podman gates restarts on
// RestartPolicyMatch, set only when an exit is seen). A live container is
// not removed even with --rm.
func TestCleanupLeavesLiveAndUnstartedContainersAlone(t *testing.T) {
	tests := []struct {
		from   define.ContainerStatus
		remove bool
	}{
		{define.StatusConfigured, false},
		{define.StatusCreated, false},
		{define.StatusCreated, true},
		{define.StatusRunning, false},
		{define.StatusRunning, true},
		{define.StatusPaused, true},
	}
	for _, tt := range tests {
		name := tt.from.String()
		if tt.remove {
			name += "/rm"
		}
		t.Run(name, func(t *testing.T) {
			e := newTestEnv(t)
			c := e.ctrIn(tt.from, WithRestartPolicy("always", 0))
			before := e.dbState(c)
			calls := len(e.oci.callsFor(c.ID()))
			if err := c.Cleanup(e.ctx, tt.remove); err != nil {
				t.Fatal(err)
			}
			if !e.exists(c) {
				t.Fatal("cleanup removed a container that has not exited")
			}
			if after := e.dbState(c); !reflect.DeepEqual(after, before) {
				t.Errorf("cleanup changed the state: %s -> %s", before.Status, after.Status)
			}
			if got := e.oci.callsFor(c.ID()); len(got) != calls {
				t.Errorf("cleanup called the runtime: %v", got[calls:])
			}
			e.lockFree(c)
		})
	}
}

// Restart policy with a user start in between: the user's start gives
// on-failure its retries back (docker and podman reset RestartCount).
func TestUserStartResetsOnFailureBudget(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning, WithRestartPolicy("on-failure", 1))
	e.exitAndCleanup(c, 1, false) // restarted (1 of 1)
	e.exitAndCleanup(c, 1, false) // budget used up
	if st := e.dbState(c); st.Status != define.StatusExited {
		t.Fatalf("status = %s, want exited after the retries", st.Status)
	}
	if err := c.Start(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.dbState(c).RestartCount; got != 0 {
		t.Errorf("RestartCount after a user start = %d, want 0", got)
	}
	e.exitAndCleanup(c, 1, false)
	if st := e.dbState(c); st.Status != define.StatusRunning {
		t.Errorf("after a failure following a user start: %s, want running (restarted by policy)", st.Status)
	}
}

func TestWaitReturnsExitCode(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning)
	ch := waitAsync(e.ctx, c)
	assertNotReturned(t, ch, 30*time.Millisecond)
	if err := e.oci.exit(c.ID(), 42); err != nil {
		t.Fatal(err)
	}
	if r := recvWait(t, ch); r.err != nil || r.code != 42 {
		t.Errorf("Wait() = %d, %v; want 42", r.code, r.err)
	}
	// Once exited, Wait returns at once.
	if code, err := c.Wait(e.ctx); err != nil || code != 42 {
		t.Errorf("second Wait() = %d, %v; want 42", code, err)
	}
	e.lockFree(c)
}

func TestWaitOnExitedContainer(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusExited)
	if code, err := c.Wait(e.ctx); err != nil || code != 3 {
		t.Errorf("Wait() = %d, %v; want 3", code, err)
	}
}

// `run --rm`: the exit command (another process) removes the container
// while the client waits on its own handle.
func TestWaitAfterRemoval(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning, WithAutoRemove())
	ch := waitAsync(e.ctx, c)
	assertNotReturned(t, ch, 20*time.Millisecond)
	e.exitAndCleanup(c, 7, true)
	if r := recvWait(t, ch); r.err != nil || r.code != 7 {
		t.Errorf("Wait() = %d, %v; want 7", r.code, r.err)
	}
	// Waiting on an already removed container still learns the code.
	if code, err := c.Wait(e.ctx); err != nil || code != 7 {
		t.Errorf("Wait() after removal = %d, %v; want 7", code, err)
	}
}

// The container exits and the exit command removes it (exit file and all)
// between Wait's status check and its wait on the exit file. Wait must
// still return the recorded exit code rather than wait for an exit file
// that will never appear again.
func TestWaitRemovedBeforeExitWait(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning, WithAutoRemove())
	var once sync.Once
	hookErr := make(chan error, 1)
	e.oci.mu.Lock()
	e.oci.onWait = func(id string) {
		once.Do(func() {
			err := e.oci.exit(id, 7)
			if err == nil {
				var h *Container
				if h, err = e.r.LookupContainer(id); err == nil {
					err = h.Cleanup(e.ctx, true)
				}
			}
			hookErr <- err
		})
	}
	e.oci.mu.Unlock()
	ctx, cancel := context.WithTimeout(e.ctx, 2*time.Second)
	defer cancel()
	code, err := c.Wait(ctx)
	if herr := <-hookErr; herr != nil {
		t.Fatalf("exit and cleanup --rm: %v", herr)
	}
	if e.exists(c) {
		t.Fatal("container was not removed")
	}
	if err != nil || code != 7 {
		t.Errorf("Wait() = %d, %v; want 7 (the removed container's exit code)", code, err)
	}
}

// conmon dies (killed, OOM) while Wait is blocked on the exit file: no
// exit file will ever come, but the sync already treats a container whose
// conmon is gone as stopped (-1). Wait must notice too instead of hanging.
func TestWaitConmonDiesDuringWait(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning)
	var once sync.Once
	e.oci.mu.Lock()
	e.oci.onWait = func(id string) {
		once.Do(func() {
			st, err := e.st.ContainerState(id)
			if err == nil {
				st.ConmonPID = 1 << 30 // above any pid_max: dead
				_ = e.st.SaveContainerState(id, st)
			}
		})
	}
	e.oci.mu.Unlock()
	ctx, cancel := context.WithTimeout(e.ctx, 2*time.Second)
	defer cancel()
	if code, err := c.Wait(ctx); err != nil || code != -1 {
		t.Errorf("Wait() = %d, %v; want -1 once conmon is gone", code, err)
	}
}

// The same handle is used by the waiter and the remover (an API server
// sharing a handle between requests).
func TestWaitSharedHandleRemoval(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning)
	ch := waitAsync(e.ctx, c)
	assertNotReturned(t, ch, 20*time.Millisecond)
	if err := e.oci.exit(c.ID(), 9); err != nil {
		t.Fatal(err)
	}
	if err := c.Cleanup(e.ctx, true); err != nil {
		t.Fatal(err)
	}
	if r := recvWait(t, ch); r.err != nil || r.code != 9 {
		t.Errorf("Wait() = %d, %v; want 9", r.code, r.err)
	}
}

func TestWaitRemovedWithoutRecord(t *testing.T) {
	e := newTestEnv(t)
	c := e.newCtr()
	if err := e.st.RemoveContainer(c.ID()); err != nil {
		t.Fatal(err)
	}
	// Removed behind the handle's back (another process): Wait reports
	// the exit code the store kept for the removed container.
	if code, err := c.Wait(e.ctx); err != nil || code != 0 {
		t.Errorf("Wait() = %d, %v; want 0", code, err)
	}
}

// Waiting on a container that never started waits for it to run and exit.
func TestWaitOnConfiguredContainer(t *testing.T) {
	e := newTestEnv(t)
	c := e.newCtr()
	ch := waitAsync(e.ctx, c)
	assertNotReturned(t, ch, 20*time.Millisecond)
	h, err := e.r.LookupContainer(c.ID())
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Start(e.ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.oci.exit(c.ID(), 4); err != nil {
		t.Fatal(err)
	}
	if r := recvWait(t, ch); r.err != nil || r.code != 4 {
		t.Errorf("Wait() = %d, %v; want 4", r.code, r.err)
	}
}

func TestWaitCanceled(t *testing.T) {
	e := newTestEnv(t)
	for _, from := range []define.ContainerStatus{define.StatusConfigured, define.StatusRunning} {
		t.Run(from.String(), func(t *testing.T) {
			c := e.ctrIn(from)
			ctx, cancel := context.WithCancel(e.ctx)
			ch := waitAsync(ctx, c)
			assertNotReturned(t, ch, 20*time.Millisecond)
			cancel()
			if r := recvWait(t, ch); !errors.Is(r.err, context.Canceled) || r.code != -1 {
				t.Errorf("Wait() = %d, %v; want -1, context.Canceled", r.code, r.err)
			}
			e.lockFree(c)
		})
	}
}

func TestWaitForStatus(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning)
	code, err := c.WaitForStatus(e.ctx, []define.ContainerStatus{define.StatusRunning})
	if err != nil || code != -1 {
		t.Fatalf("WaitForStatus(running) = %d, %v; want -1 (not exited)", code, err)
	}
	if err := e.oci.exit(c.ID(), 6); err != nil {
		t.Fatal(err)
	}
	// Stopped counts as exited.
	code, err = c.WaitForStatus(e.ctx, []define.ContainerStatus{define.StatusExited})
	if err != nil || code != 6 {
		t.Fatalf("WaitForStatus(exited) = %d, %v; want 6", code, err)
	}
}

// A container whose conmon died without writing an exit file cannot be
// running: the next sync marks it stopped.
func TestSyncConmonGone(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning)
	st := e.dbState(c)
	st.ConmonPID = 1 << 30 // above any pid_max
	if err := e.st.SaveContainerState(c.ID(), &st); err != nil {
		t.Fatal(err)
	}
	got, err := c.State()
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != define.StatusStopped || got.ExitCode != -1 || got.Error == "" {
		t.Errorf("state = %s code %d error %q, want stopped -1 with an error", got.Status, got.ExitCode, got.Error)
	}
	if e.dbState(c).Status != define.StatusStopped {
		t.Error("sync did not persist the stopped status")
	}
}

func TestSyncOOM(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning)
	e.oci.mu.Lock()
	e.oci.oom[c.ID()] = true
	e.oci.mu.Unlock()
	if err := e.oci.exit(c.ID(), 137); err != nil {
		t.Fatal(err)
	}
	st, err := c.State()
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != define.StatusStopped || !st.OOMKilled || st.ExitCode != 137 {
		t.Errorf("state = %s oom %t code %d, want stopped, OOM-killed, 137", st.Status, st.OOMKilled, st.ExitCode)
	}
}

// Listing shows exited processes as stopped without taking locks or
// writing the store.
func TestContainersSnapshot(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning)
	e.ctrIn(define.StatusConfigured)
	if err := e.oci.exit(c.ID(), 2); err != nil {
		t.Fatal(err)
	}
	if err := c.lock.Lock(); err != nil { // listing must not need the lock
		t.Fatal(err)
	}
	defer c.lock.Unlock()
	list, err := e.r.Containers()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID() != c.ID() {
		t.Fatalf("Containers() = %d containers, want 2 in creation order", len(list))
	}
	if st := list[0].CachedState(); st.Status != define.StatusStopped || st.ExitCode != 2 {
		t.Errorf("listed state = %s code %d, want stopped 2", st.Status, st.ExitCode)
	}
	if list[1].CachedState().Status != define.StatusConfigured {
		t.Errorf("second container listed as %s", list[1].CachedState().Status)
	}
	if e.dbState(c).Status != define.StatusRunning {
		t.Error("listing wrote the store")
	}
}

func TestLookupAndRename(t *testing.T) {
	e := newTestEnv(t)
	c := e.newCtr(WithName("old"))
	other := e.newCtr(WithName("other"))
	for _, ref := range []string{"old", c.ID(), c.ID()[:12]} {
		got, err := e.r.LookupContainer(ref)
		if err != nil || got.ID() != c.ID() {
			t.Errorf("LookupContainer(%q) = %v, %v", ref, got, err)
		}
	}
	if ok, err := e.r.ContainerExists("nope"); ok || err != nil {
		t.Errorf("ContainerExists(nope) = %t, %v", ok, err)
	}
	if _, err := e.r.LookupContainer("nope"); !errors.Is(err, define.ErrNoSuchCtr) {
		t.Errorf("LookupContainer(nope) = %v, want ErrNoSuchCtr", err)
	}
	if err := c.Rename(e.ctx, "bad name"); !errors.Is(err, define.ErrInvalidArg) {
		t.Errorf("Rename(bad name) = %v, want ErrInvalidArg", err)
	}
	if err := c.Rename(e.ctx, other.Name()); !errors.Is(err, define.ErrNameInUse) {
		t.Errorf("Rename(taken) = %v, want ErrNameInUse", err)
	}
	e.lockFree(c)
	if err := c.Rename(e.ctx, "new"); err != nil {
		t.Fatal(err)
	}
	if c.Name() != "new" {
		t.Errorf("handle name = %q, want new", c.Name())
	}
	if ok, _ := e.r.ContainerExists("old"); ok {
		t.Error("old name still resolves")
	}
	if got, err := e.r.LookupContainer("new"); err != nil || got.ID() != c.ID() {
		t.Errorf("LookupContainer(new) = %v, %v", got, err)
	}
}

func TestMountCountBlocksRemove(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusExited)
	mp, err := c.Mount(e.ctx)
	if err != nil || mp != e.rootfs {
		t.Fatalf("Mount() = %q, %v; want %q", mp, err, e.rootfs)
	}
	if st := e.dbState(c); st.MountCount != 1 || st.Mountpoint != e.rootfs {
		t.Errorf("after mount: count %d mountpoint %q", st.MountCount, st.Mountpoint)
	}
	err = e.r.RemoveContainer(e.ctx, c, RemoveOptions{})
	if !errors.Is(err, define.ErrCtrStateInvalid) {
		t.Fatalf("RemoveContainer() of a mounted container = %v, want ErrCtrStateInvalid", err)
	}
	if st := e.dbState(c); st.Status != define.StatusExited {
		t.Errorf("refused removal changed the status to %s", st.Status)
	}
	if err := c.Unmount(e.ctx, false); err != nil {
		t.Fatal(err)
	}
	if st := e.dbState(c); st.MountCount != 0 {
		t.Errorf("after unmount: count %d", st.MountCount)
	}
	if err := e.r.RemoveContainer(e.ctx, c, RemoveOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestRemoveRunningNeedsForce(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning)
	err := e.r.RemoveContainer(e.ctx, c, RemoveOptions{})
	if !errors.Is(err, define.ErrCtrStateInvalid) {
		t.Fatalf("RemoveContainer() = %v, want ErrCtrStateInvalid", err)
	}
	e.oci.ignoreSignal(syscall.SIGTERM)
	if err := e.r.RemoveContainer(e.ctx, c, RemoveOptions{Force: true, Timeout: uintPtr(0)}); err != nil {
		t.Fatal(err)
	}
	if got, want := e.oci.opsFor(c.ID()), "create start kill(9,all=true) delete"; got != want {
		t.Errorf("runtime calls = %q, want %q", got, want)
	}
	if e.exists(c) {
		t.Error("container still exists")
	}
	if _, err := e.r.LookupContainer(c.Name()); !errors.Is(err, define.ErrNoSuchCtr) {
		t.Errorf("LookupContainer() after removal = %v, want ErrNoSuchCtr", err)
	}
	// The handle is stale now.
	if err := c.Start(e.ctx); !errors.Is(err, define.ErrCtrRemoved) {
		t.Errorf("Start() on a removed handle = %v, want ErrCtrRemoved", err)
	}
}

// Reboot: the run root (tmpfs) loses the alive marker; reopening resets
// every container to what can survive a reboot.
func TestRefreshAfterReboot(t *testing.T) {
	e := newTestEnv(t)
	want := map[define.ContainerStatus]define.ContainerStatus{
		define.StatusConfigured: define.StatusConfigured,
		define.StatusCreated:    define.StatusConfigured,
		define.StatusRunning:    define.StatusExited,
		define.StatusPaused:     define.StatusExited,
		define.StatusStopping:   define.StatusExited,
		define.StatusStopped:    define.StatusExited,
		define.StatusExited:     define.StatusExited,
		define.StatusRemoving:   define.StatusExited,
	}
	ctrs := map[define.ContainerStatus]*Container{}
	for from := range want {
		ctrs[from] = e.ctrIn(from)
		if from == define.StatusRunning {
			c := ctrs[from]
			if _, err := c.Mount(e.ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Reopening without a reboot changes nothing.
	snap := map[define.ContainerStatus]define.ContainerState{}
	for from, c := range ctrs {
		snap[from] = e.dbState(c)
	}
	e.open()
	for from, c := range ctrs {
		if got := e.dbState(c); !reflect.DeepEqual(got, snap[from]) {
			t.Errorf("reopen without reboot changed %s container: %+v", from, got)
		}
	}

	if err := os.Remove(e.cfg.aliveFile()); err != nil {
		t.Fatal(err)
	}
	// The fake runtime and exit files are on the tmpfs too.
	e.oci = newFakeOCI(e.cfg.exitDir(), e.cfg.socketDir())
	if err := os.RemoveAll(e.cfg.exitDir()); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(e.cfg.exitDir(), 0o700); err != nil {
		t.Fatal(err)
	}
	e.r = e.open()
	for from, c := range ctrs {
		st := e.dbState(c)
		if st.Status != want[from] {
			t.Errorf("%s container after reboot: %s, want %s", from, st.Status, want[from])
		}
		if st.PID != 0 || st.ConmonPID != 0 || st.Mountpoint != "" || st.RunDir != "" || st.MountCount != 0 {
			t.Errorf("%s container after reboot keeps run-root state: %+v", from, st)
		}
	}
	if _, err := os.Stat(e.cfg.aliveFile()); err != nil {
		t.Errorf("alive marker not recreated: %v", err)
	}
	// Every refreshed container can be started again.
	for from, c := range ctrs {
		h, err := e.r.LookupContainer(c.ID())
		if err != nil {
			t.Fatal(err)
		}
		if err := h.Start(e.ctx); err != nil {
			t.Errorf("Start() of %s container after reboot = %v", from, err)
		}
	}
}

// New is cheap and unprivileged: open a real runtime (SQLite, file locks)
// on temporary roots and check the reboot marker it leaves. The OCI
// runtime and conmon only have to be executable files (nothing runs), so
// the test binary stands in for both.
func TestNewOpensRuntime(t *testing.T) {
	dir := t.TempDir()
	if _, err := New(t.Context(), Config{GraphRoot: dir}); !errors.Is(err, define.ErrInvalidArg) {
		t.Errorf("New() without run root = %v, want ErrInvalidArg", err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{
		GraphRoot: filepath.Join(dir, "g"), RunRoot: filepath.Join(dir, "r"),
		OCIRuntime: self, ConmonPath: self, NoEvents: true,
	}
	r, err := New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Shutdown(false)
	if _, err := os.Stat(cfg.aliveFile()); err != nil {
		t.Errorf("alive marker: %v", err)
	}
	if r.Events() != nil {
		t.Error("NoEvents still has an events logger")
	}

	// A runtime that does not exist fails every command early.
	bad := cfg
	bad.GraphRoot, bad.RunRoot = filepath.Join(dir, "g2"), filepath.Join(dir, "r2")
	bad.OCIRuntime = filepath.Join(dir, "no-such-runtime")
	if _, err := New(t.Context(), bad); !errors.Is(err, define.ErrInvalidArg) {
		t.Errorf("New() with a missing runtime = %v, want ErrInvalidArg", err)
	}
}
