package network

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/procps"
)

// User-mode networking: a rootless container cannot have a veth on a host
// bridge, so its namespace reaches the host through a user-space TCP/IP
// stack, pasta (the default, as in podman 5) or slirp4netns, which also
// forwards the published ports from the host.
const (
	ModePasta       = "pasta"
	ModeSlirp4netns = "slirp4netns"
)

// IsUserMode reports whether a network mode ("pasta", "slirp4netns",
// either with ":OPTIONS") is user-mode networking; it returns the tool and
// its options.
func IsUserMode(mode string) (tool string, opts []string, ok bool) {
	tool, rest, _ := strings.Cut(mode, ":")
	if tool != ModePasta && tool != ModeSlirp4netns {
		return "", nil, false
	}
	if rest != "" {
		opts = strings.Split(rest, ",")
	}
	return tool, opts, true
}

// UserNetOptions is what StartUserNet connects.
type UserNetOptions struct {
	// Mode is a network mode IsUserMode accepts.
	Mode string
	// NetNS is the pinned namespace to connect.
	NetNS string
	// Ports are published from the host (random host ports already
	// chosen).
	Ports []define.PortMapping
	// PIDFile receives the helper's PID; StopUserNet reads it.
	PIDFile string
}

// StartUserNet starts pasta or slirp4netns for the namespace and returns
// once it is configured and forwarding the ports. The helper outlives
// this process: StopUserNet ends it (pasta also quits when the pinned
// namespace goes away).
func StartUserNet(ctx context.Context, o UserNetOptions) error {
	tool, opts, ok := IsUserMode(o.Mode)
	if !ok {
		return fmt.Errorf("%q is not a user-mode network: %w", o.Mode, define.ErrInvalidArg)
	}
	if err := os.MkdirAll(filepath.Dir(o.PIDFile), 0o700); err != nil {
		return err
	}
	path, err := exec.LookPath(tool)
	if err != nil {
		pkg := "passt"
		if tool == ModeSlirp4netns {
			pkg = "slirp4netns"
		}
		return fmt.Errorf("--network %s: %s not found (Debian package %s)", tool, tool, pkg)
	}
	if tool == ModePasta {
		return startPasta(ctx, path, opts, o)
	}
	return startSlirp(ctx, path, opts, o)
}

// startPasta runs pasta, which daemonizes once the namespace is
// configured: its exit is the readiness signal.
func startPasta(ctx context.Context, path string, opts []string, o UserNetOptions) error {
	args := []string{"--config-net", "--quiet", "--netns", o.NetNS, "--pid", o.PIDFile, "-T", "none", "-U", "none"}
	var tcp, udp int
	for _, p := range o.Ports {
		flag := "-t"
		switch p.Protocol {
		case "udp":
			flag = "-u"
			udp++
		case "tcp", "":
			tcp++
		default:
			return fmt.Errorf("--network pasta: cannot publish %s ports: %w", p.Protocol, define.ErrInvalidArg)
		}
		args = append(args, flag, pastaPortSpec(p))
	}
	if tcp == 0 {
		args = append(args, "-t", "none")
	}
	if udp == 0 {
		args = append(args, "-u", "none")
	}
	args = append(args, opts...)
	out, err := exec.CommandContext(ctx, path, args...).CombinedOutput()
	if err != nil {
		msg := strings.TrimSpace(string(out))
		if strings.Contains(msg, "tun") {
			msg += " (pasta needs /dev/net/tun readable and writable by the user)"
		}
		return fmt.Errorf("pasta: %v: %s", err, msg)
	}
	return nil
}

// pastaPortSpec is one forward in pasta's syntax: [ADDR/]HOST[-END]:CTR[-END].
func pastaPortSpec(p define.PortMapping) string {
	n := max(p.Range, 1)
	span := func(first uint16) string {
		if n == 1 {
			return strconv.Itoa(int(first))
		}
		return fmt.Sprintf("%d-%d", first, first+n-1)
	}
	s := span(p.HostPort) + ":" + span(p.ContainerPort)
	if p.HostIP != "" && p.HostIP != "0.0.0.0" && p.HostIP != "::" {
		s = p.HostIP + "/" + s
	}
	return s
}

// startSlirp runs slirp4netns in the background, waits for it to report
// readiness, then adds the port forwards through its API socket.
func startSlirp(ctx context.Context, path string, opts []string, o UserNetOptions) (retErr error) {
	api := slirpSocket(o.PIDFile)
	_ = os.Remove(api)
	args, err := slirpArgs(opts)
	if err != nil {
		return err
	}
	args = append(args, "--netns-type=path", "--ready-fd=3")
	if len(o.Ports) > 0 {
		// The API (a unix socket, so at most 107 bytes of path) is
		// only needed to add the port forwards.
		args = append(args, "--api-socket", api)
	}
	args = append(args, o.NetNS, "tap0")
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	cmd := exec.Command(path, args...)
	cmd.ExtraFiles = []*os.File{w}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		w.Close()
		return fmt.Errorf("slirp4netns: %w", err)
	}
	w.Close()
	defer func() {
		if retErr != nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}()
	ready := make(chan error, 1)
	go func() {
		b := make([]byte, 1)
		_, err := r.Read(b)
		ready <- err
	}()
	select {
	case err := <-ready:
		if err != nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			return fmt.Errorf("slirp4netns did not start: %s", strings.TrimSpace(stderr.String()))
		}
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(10 * time.Second):
		return errors.New("slirp4netns did not start in 10s")
	}
	for _, p := range o.Ports {
		for i := uint16(0); i < max(p.Range, 1); i++ {
			if err := slirpForward(api, p, i); err != nil {
				return err
			}
		}
	}
	if err := os.WriteFile(o.PIDFile, []byte(strconv.Itoa(cmd.Process.Pid)), 0o600); err != nil {
		return err
	}
	// Reaped by whoever outlives it (conmon's subreaper or init).
	_ = cmd.Process.Release()
	return nil
}

// slirpArgs turns podman's slirp4netns options (KEY=VALUE) into flags.
func slirpArgs(opts []string) ([]string, error) {
	mtu, loopback := "65520", false
	var args []string
	for _, opt := range opts {
		k, v, _ := strings.Cut(opt, "=")
		switch k {
		case "allow_host_loopback":
			loopback = v == "true"
		case "mtu":
			mtu = v
		case "cidr":
			args = append(args, "--cidr="+v)
		case "enable_ipv6":
			if v == "true" {
				args = append(args, "--enable-ipv6")
			}
		case "outbound_addr":
			args = append(args, "--outbound-addr="+v)
		case "outbound_addr6":
			args = append(args, "--outbound-addr6="+v)
		case "port_handler":
			if v != "slirp4netns" {
				return nil, fmt.Errorf("--network slirp4netns: port_handler=%s: only slirp4netns is supported: %w", v, define.ErrInvalidArg)
			}
		default:
			return nil, fmt.Errorf("--network slirp4netns: unknown option %q: %w", opt, define.ErrInvalidArg)
		}
	}
	args = append([]string{"--configure", "--mtu=" + mtu, "--enable-sandbox", "--enable-seccomp"}, args...)
	if !loopback {
		args = append(args, "--disable-host-loopback")
	}
	return args, nil
}

// slirpForward asks slirp4netns to forward one host port into the
// namespace (to its fixed guest address 10.0.2.100).
func slirpForward(api string, p define.PortMapping, i uint16) error {
	hostIP := p.HostIP
	if hostIP == "" {
		hostIP = "0.0.0.0"
	}
	proto := p.Protocol
	if proto == "" {
		proto = "tcp"
	}
	req := map[string]any{"execute": "add_hostfwd", "arguments": map[string]any{
		"proto": proto, "host_addr": hostIP, "host_port": int(p.HostPort + i), "guest_port": int(p.ContainerPort + i),
	}}
	conn, err := net.Dial("unix", api)
	if err != nil {
		return fmt.Errorf("slirp4netns API: %w", err)
	}
	defer conn.Close()
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		return err
	}
	_ = conn.(*net.UnixConn).CloseWrite()
	line, _ := bufio.NewReader(conn).ReadString('\n')
	if strings.Contains(line, "error") {
		return fmt.Errorf("slirp4netns: publishing port %d: %s", p.HostPort+i, strings.TrimSpace(line))
	}
	return nil
}

// StopUserNet ends the helper StartUserNet started (if it still runs) and
// removes its files. It waits (up to 2 s, then kills) for the helper to
// be gone: it holds the published ports, which a restart binds next.
// Idempotent.
func StopUserNet(pidFile string) {
	data, err := os.ReadFile(pidFile)
	if err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && pid > 0 && isUserNetHelper(pid) {
			_ = syscall.Kill(pid, syscall.SIGTERM)
			deadline := time.Now().Add(2 * time.Second)
			for procps.Alive(pid) && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if procps.Alive(pid) && isUserNetHelper(pid) {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	}
	_ = os.Remove(pidFile)
	_ = os.Remove(slirpSocket(pidFile))
}

// slirpSocket is the slirp4netns API socket next to the PID file, named
// by a short prefix of the container ID: a socket path must fit in 107
// bytes.
func slirpSocket(pidFile string) string {
	name := strings.TrimSuffix(filepath.Base(pidFile), ".pid")
	return filepath.Join(filepath.Dir(pidFile), name[:min(12, len(name))]+".sock")
}

// isUserNetHelper reports whether pid is still a pasta or slirp4netns
// process, not a PID reused since.
func isUserNetHelper(pid int) bool {
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	c := string(comm)
	return err == nil && (strings.HasPrefix(c, "pasta") || strings.HasPrefix(c, "passt") || strings.HasPrefix(c, "slirp4netns"))
}
