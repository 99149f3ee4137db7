package e2e

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// The resource flags beyond --memory/--cpus reach the container's own
// cgroup (read inside it, cgroup v1: this host) and its oom_score_adj.
func TestResourcesMoreInside(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/sys/fs/cgroup/memory/memory.soft_limit_in_bytes"); err != nil {
		t.Skip("needs cgroup v1 (cgroupfs); the generate unit tests cover the OCI fields")
	}
	env := NewEnv(t)
	env.ImportBusybox(t)
	out := inside(t, env, []string{
		"--memory", "128m", "--memory-reservation", "64m", "--memory-swappiness", "10", "--oom-kill-disable",
		"--cpu-period", "50000", "--cpu-quota", "25000", "--cpuset-cpus", "0", "--cpuset-mems", "0",
		"--oom-score-adj", "500",
	}, `cd /sys/fs/cgroup; echo res=$(cat memory/memory.soft_limit_in_bytes) swp=$(cat memory/memory.swappiness) `+
		`oom=$(grep oom_kill_disable memory/memory.oom_control | cut -d' ' -f2) `+
		`per=$(cat cpu/cpu.cfs_period_us) quo=$(cat cpu/cpu.cfs_quota_us) `+
		`cpus=$(cat cpuset/cpuset.cpus) mems=$(cat cpuset/cpuset.mems) adj=$(cat /proc/self/oom_score_adj)`)
	want := "res=67108864 swp=10 oom=1 per=50000 quo=25000 cpus=0 mems=0 adj=500"
	if out != want {
		t.Errorf("inside: %q\nwant     %q", out, want)
	}
	// inspect shows them under docker's and podman's names.
	env.MustBerth(t, "create", "--name", "lim", "--memory", "128m", "--memory-reservation", "64m", "--memory-swappiness", "10",
		"--oom-kill-disable", "--cpu-period", "50000", "--cpu-quota", "25000", "--cpuset-cpus", "0", "--oom-score-adj", "500", "busybox")
	got := env.MustBerth(t, "inspect", "--format", "{{.HostConfig.MemoryReservation}} {{.HostConfig.MemorySwappiness}} "+
		"{{.HostConfig.OomKillDisable}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpusetCpus}} "+
		"{{.HostConfig.OomScoreAdj}}", "lim")
	if want := "67108864 10 true 50000 25000 0 500"; got != want {
		t.Errorf("inspect: %q, want %q", got, want)
	}
}

// Bad resource values exit 125 with one line naming the flag and leave
// no container behind.
func TestResourcesMoreBadValues(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	for _, tt := range []struct {
		flags []string
		want  string
	}{
		{[]string{"--memory-reservation", "1k"}, "--memory-reservation \"1k\": minimum memory reservation allowed is 6MB"},
		{[]string{"--memory-reservation", "lots"}, "--memory-reservation \"lots\": must be a positive size"},
		{[]string{"--memory", "64m", "--memory-reservation", "128m"}, "minimum memory limit can not be less than memory reservation limit"},
		{[]string{"--memory-swappiness", "101"}, "valid memory swappiness range is 0-100"},
		{[]string{"--cpus", "1", "--cpu-quota", "50000"}, "--cpu-quota and --cpus cannot be set together"},
		{[]string{"--cpus", "1", "--cpu-period", "50000"}, "--cpu-period and --cpus cannot be set together"},
		{[]string{"--cpu-period", "10"}, "--cpu-period 10: CPU cfs period can not be less than 1ms"},
		{[]string{"--cpuset-cpus", "0-x"}, `--cpuset-cpus "0-x"`},
		{[]string{"--cpuset-cpus", "0-4095"}, "requested CPUs are not available"},
		{[]string{"--cpuset-mems", "z"}, `--cpuset-mems "z"`},
		{[]string{"--oom-score-adj", "1001"}, "--oom-score-adj 1001: must be between -1000 and 1000"},
	} {
		args := append([]string{"run", "--rm", "--network", "none"}, tt.flags...)
		paExpectError(t, env.Berth(append(args, "busybox", "true")...), 125, tt.want)
	}
	if out := env.MustBerth(t, "ps", "-a", "-q"); strings.TrimSpace(out) != "" {
		t.Errorf("failed runs left containers: %q", out)
	}
}

// Device throttles reach blkio.throttle.* by the device's major:minor;
// --blkio-weight without a weight file warns and runs (podman).
func TestResourcesBlockIO(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/sys/fs/cgroup/blkio/blkio.throttle.read_bps_device"); err != nil {
		t.Skip("needs cgroup v1's blkio controller")
	}
	dev, majmin := "", ""
	for _, p := range []string{"/dev/vda", "/dev/sda", "/dev/loop0"} {
		var st syscall.Stat_t
		if err := syscall.Stat(p, &st); err == nil && st.Mode&syscall.S_IFMT == syscall.S_IFBLK {
			dev, majmin = p, fmt.Sprintf("%d:%d", unix.Major(st.Rdev), unix.Minor(st.Rdev))
			break
		}
	}
	if dev == "" {
		t.Skip("no block device")
	}
	env := NewEnv(t)
	env.ImportBusybox(t)
	out := inside(t, env, []string{"--device-read-bps", dev + ":1mb", "--device-write-iops", dev + ":100"},
		`cd /sys/fs/cgroup/blkio; cat blkio.throttle.read_bps_device blkio.throttle.write_iops_device`)
	if want := majmin + " 1048576\n" + majmin + " 100"; out != want {
		t.Errorf("throttles %q, want %q", out, want)
	}
	if _, err := os.Stat("/sys/fs/cgroup/blkio/blkio.weight"); err != nil {
		r := env.Berth("run", "--rm", "--network", "none", "--blkio-weight", "500", "busybox", "true")
		if r.ExitCode() != 0 || !strings.Contains(r.Stderr(), "Weight discarded") {
			t.Errorf("--blkio-weight without a weight file:\n%s", r)
		}
	}
	for _, tt := range []struct{ flag, val, want string }{
		{"--blkio-weight", "5", "--blkio-weight 5: range of blkio weight is from 10 to 1000"},
		{"--blkio-weight-device", dev + ":5000", "range of blkio weight is from 10 to 1000"},
		{"--device-read-bps", "/dev/nosuchdisk:1mb", "--device-read-bps /dev/nosuchdisk: no such file or directory"},
		{"--device-write-bps", "/dev/null:1mb", "not a block device"},
		{"--device-read-iops", dev + ":lots", "invalid rate for device"},
	} {
		paExpectError(t, env.Berth("run", "--rm", "--network", "none", tt.flag, tt.val, "busybox", "true"), 125, tt.want)
	}
	if out := env.MustBerth(t, "ps", "-a", "-q"); strings.TrimSpace(out) != "" {
		t.Errorf("failed runs left containers: %q", out)
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
