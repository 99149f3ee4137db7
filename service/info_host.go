package service

import (
	"bufio"
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/spec/generate"
	"golang.org/x/sys/unix"
)

// CPUUsage is podman's host.cpuUtilization: shares of CPU time since boot.
type CPUUsage struct {
	UserPercent   float64 `json:"userPercent"`
	SystemPercent float64 `json:"systemPercent"`
	IdlePercent   float64 `json:"idlePercent"`
}

// RemoteSocket is podman's host.remoteSocket: where `system service`
// listens by default, and whether something is there.
type RemoteSocket struct {
	Path   string `json:"path"`
	Exists bool   `json:"exists,omitempty"`
}

// moreHostInfo fills in podman's host fields beyond the basics.
func moreHostInfo(h *HostInfo, si unix.Sysinfo_t) {
	h.SwapTotal = int64(si.Totalswap) * int64(si.Unit)
	h.SwapFree = int64(si.Freeswap) * int64(si.Unit)
	h.CgroupControllers = cgroupControllers(h.CgroupsVersion)
	h.CPUUtilization = cpuUsage()
	h.Linkmode = "dynamic"
	sock := "/run/berth/berth.sock"
	if dir := os.Getenv("XDG_RUNTIME_DIR"); h.Security.Rootless && dir != "" {
		sock = dir + "/berth/berth.sock"
	}
	_, err := os.Stat(sock)
	h.RemoteSocket = &RemoteSocket{Path: sock, Exists: err == nil}
	sec := &h.Security
	sec.Capabilities = strings.Join(generate.DefaultCapabilities, ",")
	sec.AppArmorEnabled = fileHas("/sys/module/apparmor/parameters/enabled", "Y")
	_, err = os.Stat("/sys/fs/selinux/enforce")
	sec.SELinuxEnabled = err == nil
	// The default profile is built in (moby's), so there is no path.
	sec.SeccompEnabled = fileHas("/proc/self/status", "Seccomp:")
}

func fileHas(p, s string) bool {
	b, err := os.ReadFile(p)
	return err == nil && strings.Contains(string(b), s)
}

// cgroupControllers lists the controllers available: cgroup v2's root
// cgroup.controllers, or the enabled hierarchies of /proc/cgroups.
func cgroupControllers(version string) []string {
	out := []string{}
	if version == "v2" {
		b, _ := os.ReadFile("/sys/fs/cgroup/cgroup.controllers")
		return append(out, strings.Fields(string(b))...)
	}
	f, err := os.Open("/proc/cgroups")
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) == 4 && !strings.HasPrefix(fs[0], "#") && fs[3] == "1" {
			out = append(out, fs[0])
		}
	}
	return out
}

// cpuUsage reads the first line of /proc/stat (user nice system idle
// iowait irq softirq steal ...) as podman does.
func cpuUsage() *CPUUsage {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return nil
	}
	line, _, _ := strings.Cut(string(b), "\n")
	fs := strings.Fields(line)
	if len(fs) < 8 || fs[0] != "cpu" {
		return nil
	}
	var v [7]float64
	var total float64
	for i := range v {
		v[i], _ = strconv.ParseFloat(fs[i+1], 64)
		total += v[i]
	}
	if total == 0 {
		return nil
	}
	pct := func(x float64) float64 { return float64(int(x/total*10000+0.5)) / 100 }
	return &CPUUsage{UserPercent: pct(v[0] + v[1]), SystemPercent: pct(v[2] + v[5] + v[6]), IdlePercent: pct(v[3] + v[4])}
}

// graphStatus is the storage driver's status as podman's map.
func graphStatus(store interface{ GraphDriverStatus() ([][2]string, error) }) map[string]string {
	out := map[string]string{}
	if st, err := store.GraphDriverStatus(); err == nil {
		for _, kv := range st {
			out[kv[0]] = kv[1]
		}
	}
	return out
}

// graphOptions maps the driver's KEY=VALUE options for info; a mount
// program becomes {Executable, Package, Version}.
func graphOptions(opts []string) map[string]any {
	out := map[string]any{}
	for _, o := range opts {
		k, v, _ := strings.Cut(o, "=")
		if !strings.HasSuffix(k, "mount_program") {
			out[k] = v
			continue
		}
		prog := map[string]string{"Executable": v, "Package": dpkgOwner(v), "Version": ""}
		if ver, err := exec.Command(v, "--version").Output(); err == nil {
			prog["Version"] = strings.Join(strings.Fields(string(ver)), " ")
		}
		out[k] = prog
	}
	return out
}

// moreStoreInfo fills in the graph root's filesystem usage and the
// directories podman reports.
func moreStoreInfo(s *StoreInfo, graphRoot string) {
	var st unix.Statfs_t
	if unix.Statfs(graphRoot, &st) == nil {
		s.GraphRootAllocated = st.Blocks * uint64(st.Bsize)
		s.GraphRootUsed = (st.Blocks - st.Bfree) * uint64(st.Bsize)
	}
	s.ImageCopyTmpDir = "/var/tmp"
	if d := os.Getenv("TMPDIR"); d != "" {
		s.ImageCopyTmpDir = d
	}
}

// BuildInfo is the commit and time berth was built from (Go's VCS stamp),
// as `version` and `info` report them.
func BuildInfo() (commit, builtTime string, built int64) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "", "", 0
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			commit = s.Value
		case "vcs.time":
			builtTime = s.Value
			if t, err := time.Parse(time.RFC3339, s.Value); err == nil {
				built = t.Unix()
			}
		}
	}
	return commit, builtTime, built
}
