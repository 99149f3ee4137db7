package network

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"github.com/berth-dev/berth/engine/define"
	"go.podman.io/storage/pkg/reexec"
	"golang.org/x/sys/unix"
)

// Published ports of a container on a rootless user network. pasta's
// forwards (-t/-u) are fixed when it starts, and the rootless namespace's
// pasta serves every container of the user: adding a container's ports
// would mean restarting it, which drops every other container's
// connections. So, like podman's rootlessport, a small forwarder per
// container (berth itself, re-executed) holds the host sockets the
// container's start bound (ReservePorts: they stay the container's for
// its life) and relays each connection (TCP) or flow (UDP) to the
// container's address inside the rootless namespace, where it opens its
// outgoing sockets from a thread that entered that namespace.

const forwarderName = "berth-rootlessport"

// forwarderComm is the forwarder's process name, by which StopForwarder
// knows it from a process that reused its PID.
const forwarderComm = "rootlessport"

func init() { reexec.Register(forwarderName, forwarderMain) }

// forwardConfig is the forwarder's command line (JSON): one entry per
// host socket, passed in order from fd 3; the readiness pipe follows.
type forwardConfig struct {
	NetNS  string        `json:"netns"`
	Target string        `json:"target"`
	Ports  []forwardPort `json:"ports"`
}

type forwardPort struct {
	Proto string `json:"proto"`
	Port  uint16 `json:"port"`
}

// ForwardOptions is what StartForwarder forwards.
type ForwardOptions struct {
	// NetNS is the rootless namespace; Target the container's address
	// in it.
	NetNS, Target string
	// Ports and Files are ReservePorts' results.
	Ports []define.PortMapping
	Files []*os.File
	// PIDFile receives the forwarder's PID (StopForwarder).
	PIDFile string
}

// StartForwarder starts the container's forwarder and returns once it
// serves the ports.
func StartForwarder(ctx context.Context, o ForwardOptions) error {
	cfg := forwardConfig{NetNS: o.NetNS, Target: o.Target}
	for _, p := range o.Ports {
		if p.Protocol == "sctp" {
			return fmt.Errorf("rootless berth cannot publish sctp ports on a network: %w", define.ErrInvalidArg)
		}
		for i := uint16(0); i < max(p.Range, 1); i++ {
			cfg.Ports = append(cfg.Ports, forwardPort{Proto: p.Protocol, Port: p.ContainerPort + i})
		}
	}
	if len(cfg.Ports) != len(o.Files) {
		return fmt.Errorf("port forwarder: %d ports but %d sockets", len(cfg.Ports), len(o.Files))
	}
	arg, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(o.PIDFile), 0o700); err != nil {
		return err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	cmd := reexec.Command(forwarderName, string(arg))
	cmd.ExtraFiles = append(append([]*os.File{}, o.Files...), w)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	var stderr limitedBuffer
	cmd.Stderr = &stderr
	err = cmd.Start()
	w.Close()
	if err != nil {
		return fmt.Errorf("port forwarder: %w", err)
	}
	ready := make(chan error, 1)
	go func() {
		_, err := r.Read(make([]byte, 1))
		ready <- err
	}()
	fail := func(err error) error {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return fmt.Errorf("port forwarder: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	select {
	case err := <-ready:
		if err != nil {
			return fail(errors.New("did not start"))
		}
	case <-ctx.Done():
		return fail(ctx.Err())
	case <-time.After(10 * time.Second):
		return fail(errors.New("did not start in 10s"))
	}
	if err := os.WriteFile(o.PIDFile, []byte(strconv.Itoa(cmd.Process.Pid)), 0o600); err != nil {
		return fail(err)
	}
	// Its stderr copier must not hold this process; the forwarder
	// writes nothing once ready. Reaped by whoever outlives it.
	_ = cmd.Process.Release()
	return nil
}

// StopForwarder ends the forwarder StartForwarder started, if it still
// runs, and removes its PID file. Idempotent.
func StopForwarder(pidFile string) {
	if pid := readPID(pidFile); pid > 0 && procComm(pid) == forwarderComm {
		_ = syscall.Kill(pid, syscall.SIGTERM)
	}
	_ = os.Remove(pidFile)
}

// limitedBuffer keeps the first 4 KiB written to it.
type limitedBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if n := 4096 - len(b.buf); n > 0 {
		b.buf = append(b.buf, p[:min(n, len(p))]...)
	}
	return len(p), nil
}

func (b *limitedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

// forwarderMain is the forwarder process.
func forwarderMain() {
	if name, err := unix.BytePtrFromString(forwarderComm); err == nil {
		_ = unix.Prctl(unix.PR_SET_NAME, uintptr(unsafe.Pointer(name)), 0, 0, 0)
	}
	signal.Ignore(unix.SIGHUP, unix.SIGINT, unix.SIGPIPE, unix.SIGQUIT)
	die := func(err error) {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var cfg forwardConfig
	if len(os.Args) != 2 || json.Unmarshal([]byte(os.Args[1]), &cfg) != nil {
		die(errors.New("usage: " + forwarderName + " CONFIG"))
	}
	ns, err := unix.Open(cfg.NetNS, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		die(err)
	}
	for i, p := range cfg.Ports {
		f := os.NewFile(uintptr(3+i), "port")
		target := net.JoinHostPort(cfg.Target, strconv.Itoa(int(p.Port)))
		if p.Proto == "udp" {
			pc, err := net.FilePacketConn(f)
			if err != nil {
				die(err)
			}
			go serveUDP(pc, ns, target)
		} else {
			if err := unix.Listen(int(f.Fd()), 128); err != nil {
				die(err)
			}
			l, err := net.FileListener(f)
			if err != nil {
				die(err)
			}
			go serveTCP(l, ns, target)
		}
		f.Close()
	}
	ready := os.NewFile(uintptr(3+len(cfg.Ports)), "ready")
	_, _ = ready.Write([]byte{1})
	ready.Close()
	os.Stderr.Close()
	select {}
}

// dialIn connects to addr from inside the namespace ns: the socket is made
// on a thread that entered it, which is never unlocked (the Go runtime
// ends it with the goroutine).
func dialIn(ns int, network, addr string) (net.Conn, error) {
	type result struct {
		c   net.Conn
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		if err := unix.Setns(ns, unix.CLONE_NEWNET); err != nil {
			ch <- result{nil, err}
			return
		}
		c, err := net.DialTimeout(network, addr, 10*time.Second)
		ch <- result{c, err}
	}()
	r := <-ch
	return r.c, r.err
}

func serveTCP(l net.Listener, ns int, target string) {
	for {
		c, err := l.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(10 * time.Millisecond)
			continue
		}
		go func() {
			defer c.Close()
			up, err := dialIn(ns, "tcp", target)
			if err != nil {
				return
			}
			defer up.Close()
			done := make(chan struct{}, 2)
			pipe := func(dst, src net.Conn) {
				_, _ = io.Copy(dst, src)
				if tc, ok := dst.(*net.TCPConn); ok {
					_ = tc.CloseWrite()
				}
				done <- struct{}{}
			}
			go pipe(up, c)
			go pipe(c, up)
			<-done
			<-done
		}()
	}
}

// udpIdle is how long a UDP flow without traffic keeps its socket.
const udpIdle = 60 * time.Second

// serveUDP relays datagrams: one socket in the namespace per client
// address, whose replies go back from the published port.
func serveUDP(pc net.PacketConn, ns int, target string) {
	var mu sync.Mutex
	flows := map[string]net.Conn{}
	buf := make([]byte, 65536)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		key := from.String()
		mu.Lock()
		up, ok := flows[key]
		mu.Unlock()
		if !ok {
			if up, err = dialIn(ns, "udp", target); err != nil {
				continue
			}
			mu.Lock()
			flows[key] = up
			mu.Unlock()
			go func() {
				defer func() {
					mu.Lock()
					delete(flows, key)
					mu.Unlock()
					up.Close()
				}()
				reply := make([]byte, 65536)
				for {
					_ = up.SetReadDeadline(time.Now().Add(udpIdle))
					n, err := up.Read(reply)
					if err != nil {
						return
					}
					_, _ = pc.WriteTo(reply[:n], from)
				}
			}()
		}
		_, _ = up.Write(buf[:n])
	}
}
