package generate

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/spec"
)

// TestRuncAcceptsSpec runs a generated spec with the real runc against a
// busybox rootfs. It needs root, runc and busybox-static; `make unit` sets
// BERTH_RUNC_TEST=1 (and then a missing runc or busybox is a failure), a
// plain unprivileged `go test` skips it.
func TestRuncAcceptsSpec(t *testing.T) {
	if os.Getenv("BERTH_RUNC_TEST") != "1" || os.Geteuid() != 0 {
		t.Skip("set BERTH_RUNC_TEST=1 and run as root")
	}
	runc, err := exec.LookPath("runc")
	if err != nil {
		t.Fatalf("runc: %v", err)
	}
	bb, err := os.ReadFile("/bin/busybox")
	if err != nil {
		t.Fatalf("busybox-static: %v", err)
	}
	bundle := t.TempDir()
	rootfs := filepath.Join(bundle, "rootfs")
	for _, d := range []string{"bin", "etc", "proc", "sys", "dev", "tmp"} {
		if err := os.MkdirAll(filepath.Join(rootfs, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(rootfs, "bin/busybox"), bb, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("busybox", filepath.Join(rootfs, "bin/sh")); err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprintf("berth-gentest-%d", os.Getpid())
	s := &spec.ContainerSpec{
		Rootfs:  rootfs,
		Command: []string{"/bin/sh", "-c", "ulimit -n; echo $container; cat /proc/self/status | grep CapEff"},
		Ulimits: []spec.Ulimit{{Name: "nofile", Soft: 1000, Hard: 2000}},
		Memory:  64 << 20,
		Init:    false,
	}
	h := DefaultHost()
	g, _, err := Container(s, nil, h, Placement{})
	if err != nil {
		t.Fatal(err)
	}
	g.Hostname = "gentest"
	g.Linux.CgroupsPath = "/berth-gentest/" + id
	data, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bundle, "config.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = exec.Command(runc, "delete", "-f", id).Run()
		_ = os.Remove("/sys/fs/cgroup/memory/berth-gentest")
		for _, c := range []string{"cpu", "cpuacct", "pids", "devices", "freezer", "blkio", "cpuset", "systemd", "unified"} {
			_ = os.Remove("/sys/fs/cgroup/" + c + "/berth-gentest")
		}
	})
	cmd := exec.Command(runc, "run", "--bundle", bundle, id)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("runc run: %v\n%s", err, out)
	}
	got := string(out)
	if !strings.Contains(got, "1000\n") || !strings.Contains(got, "berth\n") || !strings.Contains(got, "CapEff:\t00000000800405fb") {
		t.Errorf("container output:\n%s", got)
	}
}
