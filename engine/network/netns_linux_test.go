package network

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// testNetNS makes a pinned namespace under t's temporary dir (removed at
// the end) and returns its path and a function running `ip` inside it
// (ip -n takes only names on this iproute2). It skips when not root.
func testNetNS(t *testing.T) (string, func(args ...string) string) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("needs root to create network namespaces")
	}
	ns := filepath.Join(t.TempDir(), "ns")
	if err := NewNetNS(ns); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = RemoveNetNS(ns) })
	return ns, func(args ...string) string {
		t.Helper()
		out, err := exec.Command("nsenter", append([]string{"--net=" + ns, "ip"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("ip %v: %v: %s", args, err, out)
		}
		return string(out)
	}
}

// TestSoleNetNS: a pinned namespace is "sole" only while nothing else
// holds it: no process inside, no second mount.
func TestSoleNetNS(t *testing.T) {
	ns, _ := testNetNS(t)
	dir := filepath.Dir(ns)
	if !soleNetNS(ns) {
		t.Fatal("a fresh pinned namespace is not sole")
	}
	cmd := exec.Command("nsenter", "--net="+ns, "sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// nsenter execs sleep once it has joined; wait until it has.
	for i := 0; i < 200 && !inNS(cmd.Process.Pid, ns); i++ {
		unix.Nanosleep(&unix.Timespec{Nsec: 5e6}, nil)
	}
	if soleNetNS(ns) {
		t.Error("namespace with a process inside reported sole")
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if !soleNetNS(ns) {
		t.Error("namespace not sole after its process went")
	}
	second := filepath.Join(dir, "second")
	if err := os.WriteFile(second, nil, 0o444); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount(ns, second, "", unix.MS_BIND, ""); err != nil {
		t.Fatal(err)
	}
	if soleNetNS(ns) {
		t.Error("namespace pinned twice reported sole")
	}
	_ = unix.Unmount(second, unix.MNT_DETACH)
	if !soleNetNS(ns) {
		t.Error("namespace not sole after the second pin went")
	}
	if soleNetNS(filepath.Join(dir, "missing")) {
		t.Error("a missing path reported sole")
	}
}

func inNS(pid int, path string) bool {
	var a, b unix.Stat_t
	return unix.Stat(path, &a) == nil && unix.Stat("/proc/"+strconv.Itoa(pid)+"/ns/net", &b) == nil && a.Ino == b.Ino
}

// TestFlushAddrs: flushAddrs empties a namespace's interfaces of addresses
// (IPv4 primary and secondary, IPv6) but the loopback's.
func TestFlushAddrs(t *testing.T) {
	ns, run := testNetNS(t)
	run("link", "add", "eth0", "type", "veth", "peer", "name", "eth1")
	run("addr", "add", "10.250.0.2/24", "dev", "eth0")
	run("addr", "add", "fd99::2/64", "dev", "eth0", "nodad")
	run("addr", "add", "10.250.0.3/24", "dev", "eth0") // a secondary
	run("addr", "add", "10.250.1.2/24", "dev", "eth1")
	run("link", "set", "eth0", "up")
	if err := inNetNS(ns, flushAddrs); err != nil {
		t.Fatal(err)
	}
	out := run("-o", "addr", "show")
	for _, gone := range []string{"10.250.0.2", "10.250.0.3", "fd99::2", "10.250.1.2"} {
		if strings.Contains(out, gone) {
			t.Errorf("address %s left after flushAddrs:\n%s", gone, out)
		}
	}
	if !strings.Contains(out, "127.0.0.1") {
		t.Errorf("loopback address flushed too:\n%s", out)
	}
}

// TestListLinks: listLinks sees the calling thread's namespace (not the one
// /sys was mounted in) with each link's master, and bridgePorts follows.
func TestListLinks(t *testing.T) {
	ns, ip := testNetNS(t)
	ip("link", "add", "brx", "type", "bridge")
	ip("link", "add", "va", "type", "veth", "peer", "name", "vb")
	ip("link", "set", "va", "master", "brx")
	var links []link
	var ports []string
	if err := inNetNS(ns, func() (err error) {
		links, err = listLinks()
		ports = bridgePorts("brx")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	br, va, vb := findLink(links, "brx"), findLink(links, "va"), findLink(links, "vb")
	if br == nil || va == nil || vb == nil || findLink(links, "lo") == nil {
		t.Fatalf("links = %+v, want lo, brx, va, vb", links)
	}
	if va.master != br.index || vb.master != 0 {
		t.Errorf("masters: va %d, vb %d; want %d, 0", va.master, vb.master, br.index)
	}
	if len(ports) != 1 || ports[0] != "va" {
		t.Errorf("bridgePorts(brx) = %v, want [va]", ports)
	}
	// The host's view (this thread) has none of them.
	if host, err := listLinks(); err != nil || findLink(host, "brx") != nil {
		t.Errorf("host links = %v, %v: the namespace's bridge leaked into the host's view", host, err)
	}
}
