package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Networking tests. Every test uses its own network names and its own
// subnets (10.231.N.0/24) so they can run in parallel, and only talks to
// 127.0.0.1 and its own containers.

const nwTimeout = 20 * time.Second

// nwBusybox returns an env with busybox imported.
func nwBusybox(t *testing.T) *Env {
	t.Helper()
	env := NewEnv(t)
	env.ImportBusybox(t)
	return env
}

// nwHTTPD starts a detached busybox httpd serving /etc (so GET /hostname
// returns the container's hostname) with extra run arguments.
func nwHTTPD(t *testing.T, env *Env, name string, args ...string) string {
	t.Helper()
	run := append([]string{"run", "-d", "--name", name}, args...)
	run = append(run, "busybox", "httpd", "-f", "-p", "80", "-h", "/etc")
	env.MustBerth(t, run...)
	return nwInspect(t, env, name, "{{.Config.Hostname}}")
}

func nwInspect(t testing.TB, env *Env, ctr, tmpl string) string {
	t.Helper()
	return env.MustBerth(t, "inspect", "--format", tmpl, ctr)
}

// nwGet fetches url from the host until it answers (the server may still
// be starting) and returns the body.
func nwGet(t *testing.T, url string) string {
	t.Helper()
	client := &http.Client{Timeout: 2 * time.Second}
	var body string
	WaitFor(t, nwTimeout, func() bool {
		resp, err := client.Get(url)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		body = string(b)
		return err == nil && resp.StatusCode == 200
	})
	return strings.TrimSpace(body)
}

// nwWgetIn runs wget in a new container with netArgs and returns its
// output and exit code; the timeout keeps an unreachable peer from
// hanging (busybox's own -T crashes).
func nwWgetIn(env *Env, netArgs []string, url string) Result {
	args := append([]string{"run", "--rm"}, netArgs...)
	args = append(args, "busybox", "timeout", "5", "wget", "-q", "-O", "-", url)
	return env.Berth(args...)
}

// nwWaitWget retries nwWgetIn until it succeeds (DNS and the server may
// need a moment) and returns the body.
func nwWaitWget(t *testing.T, env *Env, netArgs []string, url string) string {
	t.Helper()
	var last Result
	WaitFor(t, nwTimeout, func() bool {
		last = nwWgetIn(env, netArgs, url)
		return last.ExitCode() == 0
	})
	return strings.TrimSpace(last.Stdout())
}

// nwHostPort returns the host port `port` reports for a container port.
func nwHostPort(t *testing.T, env *Env, ctr, port string) int {
	t.Helper()
	out := env.MustBerth(t, "port", ctr, port)
	_, p, err := net.SplitHostPort(strings.TrimSpace(out))
	if err != nil {
		t.Fatalf("port %s %s printed %q: %v", ctr, port, out, err)
	}
	n, err := strconv.Atoi(p)
	if err != nil || n == 0 {
		t.Fatalf("port %s %s printed %q: no host port", ctr, port, out)
	}
	return n
}

// nwFreePort returns a TCP and UDP port free on the host right now.
func nwFreePort(t *testing.T) int {
	t.Helper()
	for range 20 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if u, err := net.ListenPacket("udp", fmt.Sprintf("0.0.0.0:%d", port)); err == nil {
			u.Close()
			return port
		}
	}
	t.Fatal("no free port")
	return 0
}

func TestNetworkDefaultBridge(t *testing.T) {
	t.Parallel()
	env := nwBusybox(t)
	out := env.MustBerth(t, "run", "--rm", "busybox", "sh", "-c", "ip addr show eth0; ip route; cat /etc/hosts; hostname")
	if !strings.Contains(out, "inet 10.") || !strings.Contains(out, "default via") {
		t.Fatalf("no address or default route on the default network:\n%s", out)
	}
	lines := strings.Split(out, "\n")
	hostname := lines[len(lines)-1]
	ip := ""
	for _, f := range strings.Fields(out) {
		if strings.HasPrefix(f, "10.") && strings.Contains(f, "/") {
			ip, _, _ = strings.Cut(f, "/")
			break
		}
	}
	if !strings.Contains(out, ip+"\t"+hostname) {
		t.Errorf("/etc/hosts does not map %s to %s:\n%s", ip, hostname, out)
	}

	hostname = nwHTTPD(t, env, "web")
	ipAddr := nwInspect(t, env, "web", "{{.NetworkSettings.IPAddress}}")
	if net.ParseIP(ipAddr) == nil {
		t.Fatalf("inspect IPAddress = %q", ipAddr)
	}
	gw := nwInspect(t, env, "web", "{{.NetworkSettings.Gateway}}")
	mac := nwInspect(t, env, "web", "{{.NetworkSettings.MacAddress}}")
	netID := nwInspect(t, env, "web", "{{(index .NetworkSettings.Networks \"berth\").NetworkID}}")
	if gw == "" || mac == "" || len(netID) != 64 {
		t.Errorf("inspect network settings: gateway %q mac %q network ID %q", gw, mac, netID)
	}
	if got := nwInspect(t, env, "web", "{{.HostConfig.NetworkMode}}"); got != "bridge" {
		t.Errorf("NetworkMode = %q, want bridge", got)
	}
	// Containers on the default network reach each other by address (it
	// has no DNS, like docker's bridge).
	if got := nwWaitWget(t, env, nil, "http://"+ipAddr+"/hostname"); got != hostname {
		t.Errorf("wget from a second container = %q, want %q", got, hostname)
	}
	if r := nwWgetIn(env, nil, "http://web/hostname"); r.ExitCode() == 0 {
		t.Errorf("name resolution works on the default network, which has no DNS:\n%s", r)
	}
	// The default network is listed, answers to docker's "bridge", and
	// cannot be removed.
	if ls := env.MustBerth(t, "network", "ls", "--format", "{{.Name}} {{.Driver}}"); !strings.Contains(ls, "berth bridge") {
		t.Errorf("network ls:\n%s", ls)
	}
	if got := env.MustBerth(t, "network", "inspect", "--format", "{{.NetworkInterface}} {{.DNSEnabled}}", "bridge"); !strings.HasPrefix(got, "berth") || !strings.HasSuffix(got, "false") {
		t.Errorf("network inspect bridge = %q", got)
	}
	r := env.Berth("network", "rm", "berth")
	if r.ExitCode() == 0 || !strings.Contains(r.Stderr(), "cannot be removed") {
		t.Errorf("removing the default network:\n%s", r)
	}
}

func TestNetworkDNSAndUserNetworks(t *testing.T) {
	t.Parallel()
	env := nwBusybox(t)
	env.MustBerth(t, "network", "create", "--subnet", "10.231.1.0/24", "nwdns1")
	hostname := nwHTTPD(t, env, "srv", "--network", "nwdns1", "--network-alias", "www", "--ip", "10.231.1.50", "--mac-address", "92:d0:c6:0a:29:33")
	if got := nwInspect(t, env, "srv", "{{.NetworkSettings.IPAddress}} {{.NetworkSettings.MacAddress}}"); got != "10.231.1.50 92:d0:c6:0a:29:33" {
		t.Errorf("static IP and MAC: inspect says %q", got)
	}
	client := []string{"--network", "nwdns1"}
	for _, name := range []string{"srv", "www", hostname} {
		if got := nwWaitWget(t, env, client, "http://"+name+"/hostname"); got != hostname {
			t.Errorf("wget http://%s/hostname = %q, want %q", name, got, hostname)
		}
	}
	out := env.MustBerth(t, "run", "--rm", "--network", "nwdns1", "busybox", "cat", "/etc/resolv.conf")
	if !strings.Contains(out, "nameserver 10.231.1.1") {
		t.Errorf("resolv.conf on a DNS network does not use aardvark-dns on the gateway:\n%s", out)
	}
	// --dns overrides nothing aardvark needs but is still accepted.
	env.MustBerth(t, "run", "--rm", "--network", "nwdns1", "--dns", "192.0.2.53", "busybox", "true")

	// Several networks at once, with per-network options.
	env.MustBerth(t, "network", "create", "--subnet", "10.231.2.0/24", "--disable-dns", "nwdns2")
	out = env.MustBerth(t, "run", "--rm", "--network", "nwdns1:ip=10.231.1.60,alias=multi", "--network", "nwdns2:ip=10.231.2.60", "busybox", "ip", "addr")
	for _, want := range []string{"inet 10.231.1.60/24", "inet 10.231.2.60/24", "eth1"} {
		if !strings.Contains(out, want) {
			t.Errorf("two networks: %q missing in:\n%s", want, out)
		}
	}
	// A static IP another container holds is refused.
	r := env.Berth("run", "--rm", "--network", "nwdns1", "--ip", "10.231.1.50", "busybox", "true")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "already allocated") {
		t.Errorf("duplicate static IP:\n%s", r)
	}
	if n := len(env.MustBerth(t, "ps", "-aq")); n == 0 {
		t.Fatal("ps shows nothing")
	}
	if lines := strings.Fields(env.MustBerth(t, "ps", "-aq")); len(lines) != 1 {
		t.Errorf("failed runs left containers behind: %v", lines)
	}
}

func TestNetworkPublish(t *testing.T) {
	t.Parallel()
	env := nwBusybox(t)
	fixed := nwFreePort(t)
	hostname := nwHTTPD(t, env, "fixed", "-p", fmt.Sprintf("127.0.0.1:%d:80", fixed))
	if got := nwGet(t, fmt.Sprintf("http://127.0.0.1:%d/hostname", fixed)); got != hostname {
		t.Errorf("published 127.0.0.1:%d: got %q, want %q", fixed, got, hostname)
	}
	if got := env.MustBerth(t, "port", "fixed"); got != fmt.Sprintf("80/tcp -> 127.0.0.1:%d", fixed) {
		t.Errorf("port fixed = %q", got)
	}
	if got := nwInspect(t, env, "fixed", `{{(index (index .NetworkSettings.Ports "80/tcp") 0).HostPort}}`); got != strconv.Itoa(fixed) {
		t.Errorf("inspect NetworkSettings.Ports host port = %q, want %d", got, fixed)
	}

	// A random host port (-p 80), and -P from --expose.
	hostname = nwHTTPD(t, env, "random", "-p", "80")
	port := nwHostPort(t, env, "random", "80")
	if got := nwGet(t, fmt.Sprintf("http://127.0.0.1:%d/hostname", port)); got != hostname {
		t.Errorf("random port %d: got %q, want %q", port, got, hostname)
	}
	hostname = nwHTTPD(t, env, "all", "-P", "--expose", "80", "--expose", "81/udp")
	port = nwHostPort(t, env, "all", "80/tcp")
	nwHostPort(t, env, "all", "81/udp")
	if got := nwGet(t, fmt.Sprintf("http://127.0.0.1:%d/hostname", port)); got != hostname {
		t.Errorf("-P port %d: got %q, want %q", port, got, hostname)
	}
	if ps := env.MustBerth(t, "ps", "--format", "{{.Names}} {{.Ports}}"); !strings.Contains(ps, fmt.Sprintf("127.0.0.1:%d->80/tcp", fixed)) {
		t.Errorf("ps ports:\n%s", ps)
	}

	// UDP, through a small echo server (busybox has none).
	echo := nwBuildUDPEcho(t, env)
	udp := nwFreePort(t)
	env.MustBerth(t, "run", "-d", "--name", "udp", "-p", fmt.Sprintf("%d:5000/udp", udp), "-v", echo+":/udpecho:ro", "busybox", "/udpecho")
	conn, err := net.Dial("udp", fmt.Sprintf("127.0.0.1:%d", udp))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	buf := make([]byte, 64)
	WaitFor(t, nwTimeout, func() bool {
		if _, err := conn.Write([]byte("ping")); err != nil {
			return false
		}
		_ = conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		n, err := conn.Read(buf)
		return err == nil && string(buf[:n]) == "echo:ping"
	})

	// Bad -p values are refused before anything is created.
	for _, bad := range []string{"abc", "1-3:80", "127.0.0.1:70000:80", "80/icmp", "300.0.0.1:80:80"} {
		r := env.Berth("run", "--rm", "-p", bad, "busybox", "true")
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "Error:") {
			t.Errorf("-p %s:\n%s", bad, r)
		}
	}
	if r := env.Berth("run", "--rm", "--network", "host", "-p", "80", "busybox", "true"); r.ExitCode() != 125 {
		t.Errorf("-p with --network host:\n%s", r)
	}
}

// nwBuildUDPEcho builds testdata/udpecho statically and returns its path.
func nwBuildUDPEcho(t *testing.T, env *Env) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = "/usr/local/go/bin/go" // where setup.sh expects it
		if _, err := os.Stat(goBin); err != nil {
			t.Skip("no Go toolchain to build the UDP echo server")
		}
	}
	out := filepath.Join(env.TmpDir, "udpecho")
	cmd := exec.Command(goBin, "build", "-o", out, "./testdata/udpecho")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build udpecho: %v\n%s", err, b)
	}
	return out
}

func TestNetworkPortConflict(t *testing.T) {
	t.Parallel()
	env := nwBusybox(t)
	port := nwFreePort(t)
	p := fmt.Sprintf("%d:80", port)
	env.MustBerth(t, "run", "-d", "--name", "first", "-p", p, "busybox", "sleep", "1000")
	r := env.Berth("run", "-d", "--name", "second", "-p", p, "busybox", "sleep", "1000")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "address already in use") || strings.Count(r.Stderr(), "Error:") != 1 {
		t.Fatalf("second container on the same host port:\n%s", r)
	}
	if names := env.MustBerth(t, "ps", "-a", "--format", "{{.Names}}"); names != "first" {
		t.Errorf("the failed run left a container behind: %q", names)
	}
	// create succeeds (as in docker); start fails and leaves no
	// networking behind; the container can be removed.
	env.MustBerth(t, "create", "--name", "third", "-p", p, "busybox", "sleep", "1000")
	if r := env.Berth("start", "third"); r.ExitCode() != 125 {
		t.Errorf("start on a taken port:\n%s", r)
	}
	if st := nwInspect(t, env, "third", "{{.State.Status}} {{.NetworkSettings.SandboxKey}}"); st != "created" {
		t.Errorf("after the failed start: %q, want created without a namespace", st)
	}
	// Twice in one container.
	if r := env.Berth("run", "--rm", "-p", p, "-p", p+"0", "-p", p, "busybox", "true"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "published twice") {
		t.Errorf("one host port twice:\n%s", r)
	}
	// Once the first is gone the port is free again.
	env.MustBerth(t, "rm", "-f", "-t", "0", "first")
	env.MustBerth(t, "start", "third")
	env.MustBerth(t, "rm", "-f", "-t", "0", "third")
}

func TestNetworkModes(t *testing.T) {
	t.Parallel()
	env := nwBusybox(t)
	out := env.MustBerth(t, "run", "--rm", "--network", "none", "busybox", "ip", "addr")
	if strings.Contains(out, "eth0") || !strings.Contains(out, "inet 127.0.0.1/8") {
		t.Errorf("--network none: want loopback only, up:\n%s", out)
	}
	hostLinks, err := os.ReadDir("/sys/class/net")
	if err != nil {
		t.Fatal(err)
	}
	out = env.MustBerth(t, "run", "--rm", "--net", "host", "busybox", "ls", "/sys/class/net")
	for _, l := range hostLinks {
		if l.Name() == "lo" || strings.HasPrefix(l.Name(), "veth") || strings.HasPrefix(l.Name(), "berth") {
			continue // links of other tests come and go
		}
		if !strings.Contains(out, l.Name()) {
			t.Errorf("--network host: host link %s not visible:\n%s", l.Name(), out)
		}
	}
	env.MustBerth(t, "run", "-d", "--name", "owner", "busybox", "sleep", "1000")
	ip := nwInspect(t, env, "owner", "{{.NetworkSettings.IPAddress}}")
	out = env.MustBerth(t, "run", "--rm", "--network", "container:owner", "busybox", "ip", "addr")
	if !strings.Contains(out, "inet "+ip+"/") {
		t.Errorf("--network container:owner does not share %s:\n%s", ip, out)
	}
	if r := env.Berth("run", "--rm", "--network", "container:nosuch", "busybox", "true"); r.ExitCode() != 125 {
		t.Errorf("--network container:nosuch:\n%s", r)
	}
	// The owner is started first, as podman does; one that cannot start
	// fails the join with 125 (not its command's 127), naming it.
	env.MustBerth(t, "create", "--name", "broken", "busybox", "/nosuch")
	if r := env.Berth("run", "--rm", "--network", "container:broken", "busybox", "true"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "dependency broken") {
		t.Errorf("joining a container that cannot start:\n%s", r)
	}
	if r := env.Berth("run", "--rm", "--network", "nosuchnet", "busybox", "true"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "network not found") {
		t.Errorf("unknown network:\n%s", r)
	}
}

func TestNetworkConnectDisconnectRunning(t *testing.T) {
	t.Parallel()
	env := nwBusybox(t)
	env.MustBerth(t, "network", "create", "--subnet", "10.231.3.0/24", "nwcon1")
	env.MustBerth(t, "network", "create", "--subnet", "10.231.4.0/24", "nwcon2")
	hostname := nwHTTPD(t, env, "mover", "--network", "nwcon1")
	env.MustBerth(t, "network", "connect", "--alias", "moved", "nwcon2", "mover")
	if got := nwInspect(t, env, "mover", `{{(index .NetworkSettings.Networks "nwcon2").IPAddress}}`); !strings.HasPrefix(got, "10.231.4.") {
		t.Errorf("after connect, inspect shows %q on nwcon2", got)
	}
	client := []string{"--network", "nwcon2"}
	for _, name := range []string{"mover", "moved"} {
		if got := nwWaitWget(t, env, client, "http://"+name+"/hostname"); got != hostname {
			t.Errorf("after connect, %s from nwcon2 = %q, want %q", name, got, hostname)
		}
	}
	if r := env.Berth("network", "connect", "nwcon2", "mover"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "already connected") {
		t.Errorf("connecting twice:\n%s", r)
	}
	env.MustBerth(t, "network", "disconnect", "nwcon1", "mover")
	if got := nwInspect(t, env, "mover", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}"); strings.TrimSpace(got) != "nwcon2" {
		t.Errorf("after disconnect, networks = %q", got)
	}
	if r := nwWgetIn(env, []string{"--network", "nwcon1"}, "http://10.231.3.2/hostname"); r.ExitCode() == 0 {
		t.Errorf("still reachable on the network it was disconnected from:\n%s", r)
	}
	if r := env.Berth("network", "disconnect", "nwcon1", "mover"); r.ExitCode() != 125 {
		t.Errorf("disconnecting twice:\n%s", r)
	}
	// A stopped container changes networks for its next start.
	env.MustBerth(t, "stop", "-t", "0", "mover")
	env.MustBerth(t, "network", "connect", "nwcon1", "mover")
	env.MustBerth(t, "start", "mover")
	if got := nwInspect(t, env, "mover", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}"); !strings.Contains(got, "nwcon1=10.231.3.") || !strings.Contains(got, "nwcon2=10.231.4.") {
		t.Errorf("after reconnect and start: %q", got)
	}
	// network rm refuses while used, -f removes the user.
	if r := env.Berth("network", "rm", "nwcon2"); r.ExitCode() != 2 || !strings.Contains(r.Stderr(), "being used") {
		t.Errorf("rm of a used network:\n%s", r)
	}
	env.MustBerth(t, "network", "rm", "-f", "-t", "0", "nwcon2")
	if names := env.MustBerth(t, "ps", "-a", "--format", "{{.Names}}"); names != "" {
		t.Errorf("network rm -f left its container: %q", names)
	}
}

func TestNetworkIsolation(t *testing.T) {
	t.Parallel()
	env := nwBusybox(t)
	env.MustBerth(t, "network", "create", "--subnet", "10.231.5.0/24", "nwiso1")
	env.MustBerth(t, "network", "create", "--subnet", "10.231.6.0/24", "nwiso2")
	hostname := nwHTTPD(t, env, "target", "--network", "nwiso1", "--ip", "10.231.5.10")
	if got := nwWaitWget(t, env, []string{"--network", "nwiso1"}, "http://10.231.5.10/hostname"); got != hostname {
		t.Fatalf("same network: got %q, want %q", got, hostname)
	}
	// A short-lived container on nwiso2 comes and goes first: its
	// network's complete teardown must not lift the isolation of others.
	env.MustBerth(t, "run", "--rm", "--network", "nwiso2", "busybox", "true")
	if r := nwWgetIn(env, []string{"--network", "nwiso2"}, "http://10.231.5.10/hostname"); r.ExitCode() == 0 {
		t.Errorf("a container on another network reached it:\n%s", r)
	}
	if r := nwWgetIn(env, nil, "http://10.231.5.10/hostname"); r.ExitCode() == 0 {
		t.Errorf("a container on the default network reached it:\n%s", r)
	}
	// --internal networks have no way out (no default route).
	env.MustBerth(t, "network", "create", "--internal", "--subnet", "10.231.7.0/24", "nwiso3")
	out := env.MustBerth(t, "run", "--rm", "--network", "nwiso3", "busybox", "ip", "route")
	if strings.Contains(out, "default") {
		t.Errorf("internal network has a default route:\n%s", out)
	}
}

func TestNetworkCommands(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	if got := env.MustBerth(t, "network", "create", "--subnet", "10.231.8.0/24", "--gateway", "10.231.8.254",
		"--ip-range", "10.231.8.128/25", "--label", "team=a", "--opt", "mtu=1400", "nwcmd1"); got != "nwcmd1" {
		t.Errorf("create printed %q", got)
	}
	var nets []map[string]any
	if err := json.Unmarshal([]byte(env.MustBerth(t, "network", "inspect", "nwcmd1")), &nets); err != nil || len(nets) != 1 {
		t.Fatalf("inspect json: %v", err)
	}
	n := nets[0]
	subnets, _ := n["subnets"].([]any)
	if n["name"] != "nwcmd1" || n["driver"] != "bridge" || n["dns_enabled"] != true || len(subnets) != 1 || len(n["id"].(string)) != 64 {
		t.Errorf("inspect: %v", n)
	} else if s := subnets[0].(map[string]any); s["subnet"] != "10.231.8.0/24" || s["gateway"] != "10.231.8.254" {
		t.Errorf("inspect subnet: %v", s)
	}
	env.MustBerth(t, "network", "create", "--subnet", "10.231.9.0/24", "--disable-dns", "--internal", "nwcmd2")
	if got := env.MustBerth(t, "network", "ls", "-q", "--filter", "label=team=a"); got != "nwcmd1" {
		t.Errorf("ls --filter label: %q", got)
	}
	if got := env.MustBerth(t, "network", "ls", "--format", "{{.Name}} {{.Labels}}", "--filter", "name=nwcmd"); got != "nwcmd1 team=a\nnwcmd2" {
		t.Errorf("ls --format --filter name: %q", got)
	}
	if got := env.MustBerth(t, "network", "ls"); !strings.HasPrefix(got, "NETWORK ID") || !strings.Contains(got, "nwcmd2") {
		t.Errorf("ls table:\n%s", got)
	}
	env.MustBerth(t, "network", "exists", "nwcmd1")
	if r := env.Berth("network", "exists", "nwnope"); r.ExitCode() != 1 {
		t.Errorf("exists of a missing network:\n%s", r)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"network", "create", "nwcmd1"}, "already used"},
		{[]string{"network", "create", "--subnet", "10.231.8.128/25", "nwcmd3"}, "already used"},
		{[]string{"network", "create", "--subnet", "banana", "nwcmd3"}, "subnet"},
		{[]string{"network", "create", "--subnet", "10.231.10.0/24", "--gateway", "10.232.0.1", "nwcmd3"}, "gateway"},
		{[]string{"network", "create", "--opt", "nosuch=1", "nwcmd3"}, "unsupported"},
		{[]string{"network", "create", "--driver", "overlay", "nwcmd3"}, "driver"},
		{[]string{"network", "create", "bad/name"}, "invalid"},
		{[]string{"network", "ls", "--filter", "color=red"}, "filter"},
	} {
		r := env.Berth(c.args...)
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), c.want) || strings.Count(r.Stderr(), "Error:") != 1 {
			t.Errorf("%v: want exit 125 and %q:\n%s", c.args, c.want, r)
		}
	}
	if r := env.Berth("network", "ls", "-q"); strings.Contains(r.Stdout(), "nwcmd3") {
		t.Errorf("a failed create left a network:\n%s", r)
	}

	if r := env.Berth("network", "rm", "nwnope"); r.ExitCode() != 1 {
		t.Errorf("rm of a missing network:\n%s", r)
	}
	if got := env.MustBerth(t, "network", "rm", "nwcmd2"); got != "nwcmd2" {
		t.Errorf("rm printed %q", got)
	}
	if got := env.MustBerth(t, "network", "prune", "-f"); got != "nwcmd1" {
		t.Errorf("prune printed %q", got)
	}
	if got := env.MustBerth(t, "network", "ls", "-q"); got != "berth" {
		t.Errorf("after prune: %q", got)
	}
}

// TestNetworkCrashCleanup kills a container and its conmon the hard way
// and checks that rm still undoes all of its networking, and that a
// berth killed in the middle of a start leaves nothing a later rm cannot
// clean.
func TestNetworkCrashCleanup(t *testing.T) {
	t.Parallel()
	env := nwBusybox(t)
	env.MustBerth(t, "network", "create", "--subnet", "10.231.11.0/24", "nwcrash")
	env.MustBerth(t, "run", "-d", "--name", "victim", "--network", "nwcrash", "-p", "80", "busybox", "sleep", "1000")
	conmon, _ := strconv.Atoi(nwInspect(t, env, "victim", "{{.State.ConmonPid}}"))
	pid, _ := strconv.Atoi(nwInspect(t, env, "victim", "{{.State.Pid}}"))
	_ = syscall.Kill(conmon, syscall.SIGKILL)
	_ = syscall.Kill(pid, syscall.SIGKILL)
	env.MustBerth(t, "rm", "-f", "-t", "0", "victim")
	// The network's own rules (its subnet) stay until network rm; the
	// container's (its address, its port) must be gone.
	if rules := ctrRules("10.231.11."); len(rules) > 0 {
		t.Errorf("firewall rules left after rm: %v", rules)
	}

	// Kill berth while it sets up networking for many containers at
	// once; whatever state each is left in, rm -af cleans it.
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := env.Command(t.Context(), "run", "-d", "--name", fmt.Sprintf("half%d", i), "--network", "nwcrash", "-p", "80", "busybox", "sleep", "1000")
			if err := cmd.Start(); err != nil {
				return
			}
			time.Sleep(time.Duration(150*(i+1)) * time.Millisecond)
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			_ = cmd.Wait()
		}()
	}
	wg.Wait()
	env.MustBerth(t, "rm", "-af", "-t", "0")
	WaitFor(t, nwTimeout, func() bool { return len(ctrRules("10.231.11.")) == 0 })
	env.MustBerth(t, "network", "rm", "nwcrash")
	if rules := nwRulesMentioning("10.231.11."); len(rules) > 0 {
		t.Errorf("firewall rules left after network rm: %v", rules)
	}
}

// ctrRules returns the rules that mention addresses of the /24 whose
// prefix is net24 ("10.231.11.") other than the network's own subnet.
func ctrRules(net24 string) []string {
	var out []string
	for _, r := range nwRulesMentioning(net24) {
		if !strings.Contains(r, net24+"0/24") {
			out = append(out, r)
		}
	}
	return out
}

// nwRulesMentioning returns the iptables rules that contain s.
func nwRulesMentioning(s string) []string {
	out, _ := exec.Command("iptables-save").Output()
	var rules []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, s) {
			rules = append(rules, l)
		}
	}
	return rules
}

// TestNetworkReload deletes a running container's port forwarding rule,
// as a firewall flush would, and has `network reload` put it back.
func TestNetworkReload(t *testing.T) {
	t.Parallel()
	env := nwBusybox(t)
	env.MustBerth(t, "network", "create", "--subnet", "10.231.12.0/24", "nwreload")
	hostname := nwHTTPD(t, env, "web", "--network", "nwreload", "-p", "127.0.0.1::80")
	port := nwHostPort(t, env, "web", "80")
	url := fmt.Sprintf("http://127.0.0.1:%d/hostname", port)
	if got := nwGet(t, url); got != hostname {
		t.Fatalf("before the flush: %q", got)
	}
	id := nwInspect(t, env, "web", "{{.Id}}")
	flushed := 0
	for _, rule := range nwRulesMentioning("id: " + id) {
		args := append([]string{"-t", "nat", "-D"}, strings.Fields(strings.TrimPrefix(rule, "-A "))...)
		// iptables-save quotes the comment; iptables wants it as one word.
		joined := strings.Join(args, " ")
		if i := strings.Index(joined, `"`); i >= 0 {
			j := strings.LastIndex(joined, `"`)
			args = append(strings.Fields(joined[:i]), joined[i+1:j])
			args = append(args, strings.Fields(joined[j+1:])...)
		}
		if out, err := exec.Command("iptables", args...).CombinedOutput(); err != nil {
			t.Fatalf("iptables %v: %v\n%s", args, err, out)
		}
		flushed++
	}
	if flushed == 0 {
		t.Fatal("no port forwarding rule names the container")
	}
	client := &http.Client{Timeout: time.Second}
	if resp, err := client.Get(url); err == nil {
		resp.Body.Close()
		t.Fatalf("port %d still answers without its rule", port)
	}
	if got := env.MustBerth(t, "network", "reload", "web"); got != id {
		t.Errorf("reload printed %q, want the ID", got)
	}
	if got := nwGet(t, url); got != hostname {
		t.Errorf("after reload: %q, want %q", got, hostname)
	}
	if r := env.Berth("network", "reload"); r.ExitCode() != 125 {
		t.Errorf("reload without containers or --all:\n%s", r)
	}
	env.MustBerth(t, "network", "reload", "--all")
	if got := nwGet(t, url); got != hostname {
		t.Errorf("after reload --all: %q", got)
	}
}
