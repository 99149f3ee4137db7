package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRunIP6: --ip6 gives the container that IPv6 address on its one
// network, next to its IPv4 one; an IPv4 value and a network mode without
// a bridge are refused before anything is created.
func TestRunIP6(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "network", "create", "--ipv6", "--subnet", "10.254.61.0/24", "--subnet", "fd54:254:61::/64", "p7ip6")
	got := env.MustBerth(t, "run", "--rm", "--network", "p7ip6", "--ip6", "fd54:254:61::42", "busybox", "ip", "-6", "addr", "show", "eth0")
	if !strings.Contains(got, "inet6 fd54:254:61::42/64") {
		t.Errorf("--ip6 address not on eth0:\n%s", got)
	}
	got = env.MustBerth(t, "run", "--rm", "--network", "p7ip6", "--ip", "10.254.61.9", "--ip6", "fd54:254:61::43", "busybox", "ip", "addr", "show", "eth0")
	if !strings.Contains(got, "inet 10.254.61.9/24") || !strings.Contains(got, "inet6 fd54:254:61::43/64") {
		t.Errorf("--ip with --ip6:\n%s", got)
	}
	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"--network", "p7ip6", "--ip6", "10.254.61.5"}, `--ip6 "10.254.61.5": not an IPv6 address`},
		{[]string{"--network", "p7ip6", "--ip6", "nonsense"}, `--ip6 "nonsense": not an IPv6 address`},
		{[]string{"--network", "host", "--ip6", "fd54:254:61::5"}, "cannot be used with --network host"},
	} {
		r := env.Berth(append(append([]string{"create"}, bad.args...), "busybox", "true")...)
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), bad.want) {
			t.Errorf("create %v: %s", bad.args, r)
		}
	}
	if got := env.MustBerth(t, "ps", "-aq"); got != "" {
		t.Errorf("containers left by bad input: %q", got)
	}
}

// TestRunCPURealtime: --cpu-rt-period and --cpu-rt-runtime reach the
// container's cgroup v1 cpu.rt_* files (its parents get a budget to hand
// down); a runtime over the period is refused. Skipped where the host has
// no real-time group scheduling in cgroup v1.
func TestRunCPURealtime(t *testing.T) {
	if _, err := os.Stat("/sys/fs/cgroup/cpu/cpu.rt_runtime_us"); err != nil || os.Geteuid() != 0 {
		t.Skip("needs root and cgroup v1's cpu.rt_runtime_us")
	}
	env := NewEnv(t)
	env.ImportBusybox(t)
	// berth hands its cgroup parent a real-time budget it never takes
	// back (as docker): give the host's value back after the test.
	// The write fails while the container's cgroup (holding the budget)
	// is still being removed: retry for a while.
	parent := "/sys/fs/cgroup/cpu/berth/cpu.rt_runtime_us"
	old, err := os.ReadFile(parent)
	if err != nil {
		old = []byte("0")
	}
	t.Cleanup(func() {
		for end := time.Now().Add(20 * time.Second); os.WriteFile(parent, old, 0o644) != nil && time.Now().Before(end); {
			time.Sleep(100 * time.Millisecond)
		}
		if got, _ := os.ReadFile(parent); strings.TrimSpace(string(got)) != strings.TrimSpace(string(old)) {
			t.Errorf("%s left at %q, was %q", parent, got, old)
		}
	})
	id := env.MustBerth(t, "run", "-d", "--cpu-rt-period", "900000", "--cpu-rt-runtime", "10000", "busybox", "sleep", "100")
	defer env.Berth("rm", "-f", "-t", "0", id)
	dir := filepath.Join("/sys/fs/cgroup/cpu/berth", "berth-"+id)
	for file, want := range map[string]string{"cpu.rt_period_us": "900000", "cpu.rt_runtime_us": "10000"} {
		data, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil || strings.TrimSpace(string(data)) != want {
			t.Errorf("%s: %q (%v), want %s", file, data, err, want)
		}
	}
	r := env.Berth("create", "--cpu-rt-period", "1000", "--cpu-rt-runtime", "2000", "busybox", "true")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "--cpu-rt-runtime 2000: cannot be larger than --cpu-rt-period 1000") {
		t.Errorf("runtime over period: %s", r)
	}
}

// TestRunUseAPISocket: docker's --use-api-socket binds the berth
// service's socket (DOCKER_HOST's here) at /var/run/docker.sock; a tcp:// endpoint
// and a socket nobody listens on are refused before anything is created.
func TestRunUseAPISocket(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	uri := apiService(t, env)
	env.Environ = append(env.Environ, "DOCKER_HOST="+uri)
	// busybox has no unix-socket HTTP client: the container observes a
	// socket at the path.
	got := env.MustBerth(t, "run", "--rm", "--use-api-socket", "busybox", "sh", "-c", "test -S /var/run/docker.sock && echo socket")
	if got != "socket" {
		t.Errorf("--use-api-socket: %q", got)
	}
	env.Environ[len(env.Environ)-1] = "DOCKER_HOST=tcp://127.0.0.1:2375"
	r := env.Berth("create", "--use-api-socket", "busybox", "true")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "flag --use-api-socket can only be used with unix sockets: docker endpoint tcp://127.0.0.1:2375 incompatible") {
		t.Errorf("tcp endpoint: %s", r)
	}
	env.Environ[len(env.Environ)-1] = "DOCKER_HOST=unix://" + filepath.Join(env.Dir, "none.sock")
	r = env.Berth("create", "--use-api-socket", "busybox", "true")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "--use-api-socket: no berth service is listening at "+filepath.Join(env.Dir, "none.sock")) {
		t.Errorf("no service: %s", r)
	}
	if got := env.MustBerth(t, "ps", "-aq"); got != "" {
		t.Errorf("containers left by bad input: %q", got)
	}
}

// TestRunLinkLocalIP: docker's --link-local-ip adds the addresses to the
// container's interface on its network; an address outside the
// link-local ranges is refused.
func TestRunLinkLocalIP(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "network", "create", "--subnet", "10.254.62.0/24", "p7ll")
	got := env.MustBerth(t, "run", "--rm", "--network", "p7ll", "--link-local-ip", "169.254.7.7", "--link-local-ip", "fe80::7:7", "busybox", "ip", "addr", "show", "eth0")
	if !strings.Contains(got, "inet 169.254.7.7/16") || !strings.Contains(got, "inet6 fe80::7:7/64") || !strings.Contains(got, "inet 10.254.62.") {
		t.Errorf("--link-local-ip addresses not on eth0:\n%s", got)
	}
	r := env.Berth("create", "--network", "p7ll", "--link-local-ip", "10.254.62.9", "busybox", "true")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), `--link-local-ip "10.254.62.9": not a link-local address`) {
		t.Errorf("non-link-local address: %s", r)
	}
}
