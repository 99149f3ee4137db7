package e2e

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// testBlockDevice returns a host block device and its "major:minor", or
// skips the test.
func testBlockDevice(t *testing.T) (string, string) {
	t.Helper()
	if _, err := os.Stat("/sys/fs/cgroup/blkio/blkio.throttle.read_bps_device"); err != nil {
		t.Skip("needs cgroup v1's blkio controller")
	}
	for _, p := range []string{"/dev/vda", "/dev/sda", "/dev/loop0"} {
		var st syscall.Stat_t
		if err := syscall.Stat(p, &st); err == nil && st.Mode&syscall.S_IFMT == syscall.S_IFBLK {
			return p, fmt.Sprintf("%d:%d", unix.Major(st.Rdev), unix.Minor(st.Rdev))
		}
	}
	t.Skip("no block device")
	return "", ""
}

// update's per-device block IO throttles and --memory-swappiness reach
// the running container's cgroup (runc's update ignores them: berth
// writes the files), survive a later update of another limit (which runc
// applies from the values it started with) and a restart; the docker
// API's BlkioDevice* and MemorySwappiness do the same.
func TestUpdateBlockIO(t *testing.T) {
	t.Parallel()
	dev, majmin := testBlockDevice(t)
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "-d", "--name", "ub", "--network", "none", "--device-read-bps", dev+":1mb", "busybox", "sleep", "1000")
	cgroup := func(files ...string) string {
		return strings.TrimSpace(env.MustBerth(t, "exec", "ub", "sh", "-c", "cd /sys/fs/cgroup && cat "+strings.Join(files, " ")))
	}
	throttles := []string{"blkio/blkio.throttle.read_bps_device", "blkio/blkio.throttle.write_iops_device"}
	env.MustBerth(t, "update", "--device-read-bps", dev+":2mb", "--device-write-iops", dev+":50", "--memory-swappiness", "10", "ub")
	want := majmin + " 2097152\n" + majmin + " 50"
	if got := cgroup(throttles...); got != want {
		t.Errorf("live throttles after update: %q, want %q", got, want)
	}
	if got := cgroup("memory/memory.swappiness"); got != "10" {
		t.Errorf("live swappiness after update: %s", got)
	}
	env.MustBerth(t, "update", "--memory", "64m", "ub")
	if got := cgroup(throttles...); got != want {
		t.Errorf("throttles after a later --memory update: %q, want %q", got, want)
	}
	if got := env.MustBerth(t, "inspect", "--format", "{{.HostConfig.MemorySwappiness}}", "ub"); got != "10" {
		t.Errorf("inspect's MemorySwappiness: %s", got)
	}
	// Without a weight file the weight is dropped with podman's warning.
	if _, err := os.Stat("/sys/fs/cgroup/blkio/blkio.weight"); err != nil {
		r := env.Berth("update", "--blkio-weight-device", dev+":300", "ub")
		if r.ExitCode() != 0 || !strings.Contains(r.Stderr(), "Weight-device discarded") {
			t.Errorf("update --blkio-weight-device without a weight file:\n%s", r)
		}
	}
	for _, tt := range []struct{ flag, val, want string }{
		{"--device-read-bps", "/dev/nosuchdisk:1mb", "--device-read-bps /dev/nosuchdisk: no such file or directory"},
		{"--device-write-iops", dev + ":lots", "invalid rate for device"},
		{"--memory-swappiness", "101", "valid memory swappiness range is 0-100"},
		{"--blkio-weight-device", dev + ":5000", "range of blkio weight is from 10 to 1000"},
	} {
		paExpectError(t, env.Berth("update", tt.flag, tt.val, "ub"), 125, tt.want)
	}
	if got := cgroup(throttles...); got != want {
		t.Errorf("throttles after refused updates: %q, want %q", got, want)
	}

	env.MustBerth(t, "restart", "-t", "0", "ub")
	if got := cgroup(throttles...) + " " + cgroup("memory/memory.swappiness"); got != want+" 10" {
		t.Errorf("after a restart: %q", got)
	}

	// docker's update body (the docker CLI has no such flags) and
	// podman 5's libpod body with the restart policy in the query.
	uri := apiService(t, env)
	if code, body := apiStatus(t, uri, "POST", "/containers/ub/update",
		`{"BlkioDeviceWriteBps":[{"Path":"`+dev+`","Rate":3145728}],"MemorySwappiness":20}`); code != 200 {
		t.Errorf("docker update: %d %s", code, body)
	}
	if got := cgroup("blkio/blkio.throttle.write_bps_device", "memory/memory.swappiness"); got != majmin+" 3145728\n20" {
		t.Errorf("live write throttle and swappiness after docker update: %q", got)
	}
	code, body := apiStatus(t, uri, "POST", "/libpod/containers/ub/update?restartPolicy=on-failure&restartRetries=3",
		`{"memory":{"limit":100663296},"DeviceReadIOPs":[{"Path":"`+dev+`","Rate":77}]}`)
	if id := env.MustBerth(t, "inspect", "--format", "{{.Id}}", "ub"); code != 201 || strings.TrimSpace(body) != `"`+id+`"` {
		t.Errorf("libpod update: %d %s", code, body)
	}
	if got := cgroup("blkio/blkio.throttle.read_iops_device", "memory/memory.limit_in_bytes"); got != majmin+" 77\n100663296" {
		t.Errorf("live limits after libpod update: %q", got)
	}
	if got := env.MustBerth(t, "inspect", "--format", "{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}", "ub"); got != "on-failure:3" {
		t.Errorf("restart policy after libpod update: %s", got)
	}
	if code, body := apiStatus(t, uri, "POST", "/libpod/containers/ub/update",
		`{"blockIO":{"throttleReadBpsDevice":[{"major":8,"minor":0,"rate":1}]}}`); code != 400 || !strings.Contains(body, "by path") {
		t.Errorf("libpod update with OCI device lists: %d %s", code, body)
	}
	env.MustBerth(t, "rm", "-f", "ub")
}
