package engine

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
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
	if st := e.dbState(c); st.Status != define.StatusConfigured {
		t.Errorf("status = %s, want configured", st.Status)
	}
	spec, err := e.st.ContainerSpec(c.ID())
	if err != nil {
		t.Fatal(err)
	}
	// The spec is recorded as spec/generate made it: the engine adds no
	// hostname, $HOSTNAME or cgroup path.
	if spec.Hostname != "" || cfg.Hostname != "" || spec.Linux.CgroupsPath != "" || !reflect.DeepEqual(spec.Process.Env, testSpec().Process.Env) {
		t.Errorf("spec hostname %q config hostname %q cgroups path %q env %q, want the spec as given", spec.Hostname, cfg.Hostname, spec.Linux.CgroupsPath, spec.Process.Env)
	}
	// The static dir (log) is made on the first start, not by create.
	if _, err := os.Stat(cfg.StaticDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("static dir %s after create: %v, want it absent", cfg.StaticDir, err)
	}
	if got := e.eventStatuses(c); got != "create" {
		t.Errorf("events = %q, want %q", got, "create")
	}
	if calls := e.oci.callsFor(c.ID()); len(calls) != 0 {
		t.Errorf("create touched the OCI runtime: %v", calls)
	}
}

func TestNewContainerWithID(t *testing.T) {
	e := newTestEnv(t)
	id := strings.Repeat("ab", 32)
	if c := e.newCtr(WithID(id)); c.ID() != id {
		t.Errorf("ID = %s, want %s", c.ID(), id)
	}
	if _, err := e.r.NewContainer(e.ctx, testSpec(), WithRootfs(e.rootfs), WithID("short")); !errors.Is(err, define.ErrInvalidArg) {
		t.Errorf("WithID(short) = %v, want invalid argument", err)
	}
}

func TestCgroupsPath(t *testing.T) {
	for _, tt := range []struct{ manager, parent, want, wantPod string }{
		{"cgroupfs", "", "/berth/berth-ID", "/berth/berth-pod-ID"},
		{"", "/mine", "/mine/berth-ID", "/mine/berth-pod-ID"},
		{"systemd", "", "machine.slice:berth:ID", "machine-berth_pod_ID.slice"},
		{"systemd", "my.slice", "my.slice:berth:ID", "my-berth_pod_ID.slice"},
	} {
		if got := CgroupsPath(tt.manager, tt.parent, "ID"); got != tt.want {
			t.Errorf("CgroupsPath(%q, %q) = %q, want %q", tt.manager, tt.parent, got, tt.want)
		}
		if got := PodCgroupPath(tt.manager, tt.parent, "ID"); got != tt.wantPod {
			t.Errorf("PodCgroupPath(%q, %q) = %q, want %q", tt.manager, tt.parent, got, tt.wantPod)
		}
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
			// Nothing on disk for a container that was never started.
			if dirs, _ := os.ReadDir(e.cfg.staticDir()); len(dirs) != 0 {
				t.Errorf("static dir has %d entries after a failed create, want 0", len(dirs))
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
	c := e.newCtr(WithUser("nobody"), WithName("web"), WithHostname("web"))
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
