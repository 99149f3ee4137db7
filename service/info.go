package service

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/internal/rootless"
	"golang.org/x/sys/unix"
)

// InfoReport is `berth info` (podman's field names).
type InfoReport struct {
	Host    HostInfo    `json:"host"`
	Store   StoreInfo   `json:"store"`
	Version VersionInfo `json:"version"`
}

// HostInfo describes the machine and the runtime binaries.
type HostInfo struct {
	Arch           string       `json:"arch"`
	CgroupManager  string       `json:"cgroupManager"`
	CgroupsVersion string       `json:"cgroupVersion"`
	Conmon         BinaryInfo   `json:"conmon"`
	CPUs           int          `json:"cpus"`
	Distribution   Distribution `json:"distribution"`
	Hostname       string       `json:"hostname"`
	Kernel         string       `json:"kernel"`
	MemTotal       int64        `json:"memTotal"`
	MemFree        int64        `json:"memFree"`
	OCIRuntime     BinaryInfo   `json:"ociRuntime"`
	OS             string       `json:"os"`
	EventLogger    string       `json:"eventLogger"`
	LogDriver      string       `json:"logDriver"`
	Uptime         string       `json:"uptime"`
	Security       SecurityInfo `json:"security"`
	// IDMappings are the user namespace's maps (rootless only).
	IDMappings *IDMappings `json:"idMappings,omitempty"`
	// NetworkBackend is the bridge backend; RootlessNetworkCmd the
	// default user-mode networking of a rootless engine.
	NetworkBackend     string      `json:"networkBackend"`
	RootlessNetworkCmd string      `json:"rootlessNetworkCmd,omitempty"`
	Pasta              *BinaryInfo `json:"pasta,omitempty"`
	Slirp4netns        *BinaryInfo `json:"slirp4netns,omitempty"`
	// The rest of podman's host fields (see info_host.go).
	CgroupControllers []string      `json:"cgroupControllers"`
	CPUUtilization    *CPUUsage     `json:"cpuUtilization,omitempty"`
	Linkmode          string        `json:"linkmode"`
	RemoteSocket      *RemoteSocket `json:"remoteSocket,omitempty"`
	ServiceIsRemote   bool          `json:"serviceIsRemote"`
	SwapFree          int64         `json:"swapFree"`
	SwapTotal         int64         `json:"swapTotal"`
}

// SecurityInfo is podman's host.security (the rootless part).
type SecurityInfo struct {
	AppArmorEnabled    bool   `json:"apparmorEnabled"`
	Capabilities       string `json:"capabilities"`
	Rootless           bool   `json:"rootless"`
	SeccompEnabled     bool   `json:"seccompEnabled"`
	SeccompProfilePath string `json:"seccompProfilePath"`
	SELinuxEnabled     bool   `json:"selinuxEnabled"`
}

// IDMappings are podman's host.idMappings.
type IDMappings struct {
	UIDMap []rootless.IDMap `json:"uidmap"`
	GIDMap []rootless.IDMap `json:"gidmap"`
}

// BinaryInfo names a helper binary and its version.
type BinaryInfo struct {
	Name    string `json:"name,omitempty"`
	Package string `json:"package"`
	Path    string `json:"path"`
	Version string `json:"version"`
}

// Distribution is the host's OS release.
type Distribution struct {
	Distribution string `json:"distribution"`
	Version      string `json:"version"`
	Codename     string `json:"codename,omitempty"`
}

// StoreInfo describes storage and the number of objects.
type StoreInfo struct {
	ConfigFile      string         `json:"configFile"`
	ContainerStore  ContainerStore `json:"containerStore"`
	GraphDriverName string         `json:"graphDriverName"`
	GraphRoot       string         `json:"graphRoot"`
	ImageStore      ImageStore     `json:"imageStore"`
	RunRoot         string         `json:"runRoot"`
	// GraphRootAllocated and GraphRootUsed are the bytes of the graph
	// root's filesystem; GraphStatus the driver's status lines.
	GraphRootAllocated uint64            `json:"graphRootAllocated"`
	GraphRootUsed      uint64            `json:"graphRootUsed"`
	GraphStatus        map[string]string `json:"graphStatus"`
	// GraphOptions are the driver's options; a mount program (fuse-
	// overlayfs) is shown with its path, package and version, as podman.
	GraphOptions    map[string]any `json:"graphOptions"`
	ImageCopyTmpDir string         `json:"imageCopyTmpDir"`
	VolumePath      string         `json:"volumePath"`
}

// ContainerStore counts containers by state.
type ContainerStore struct {
	Number  int `json:"number"`
	Paused  int `json:"paused"`
	Running int `json:"running"`
	Stopped int `json:"stopped"`
}

// ImageStore counts images.
type ImageStore struct {
	Number int `json:"number"`
}

// VersionInfo is berth's own version.
type VersionInfo struct {
	APIVersion string `json:"APIVersion"`
	Version    string `json:"Version"`
	GoVersion  string `json:"GoVersion"`
	GitCommit  string `json:"GitCommit"`
	BuiltTime  string `json:"BuiltTime"`
	Built      int64  `json:"Built"`
	OsArch     string `json:"OsArch"`
	Os         string `json:"Os"`
}

// Info gathers `berth info`.
func Info(ctx context.Context, rt *engine.Runtime, version string) (*InfoReport, error) {
	cfg := rt.Config()
	info := &InfoReport{Version: VersionInfo{APIVersion: "1.41", Version: version, GoVersion: runtime.Version(), OsArch: runtime.GOOS + "/" + runtime.GOARCH}}
	h := &info.Host
	h.Arch, h.OS, h.CPUs = runtime.GOARCH, runtime.GOOS, runtime.NumCPU()
	h.CgroupManager = cfg.CgroupManager
	h.CgroupsVersion = "v1"
	var st unix.Statfs_t
	if unix.Statfs("/sys/fs/cgroup", &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC {
		h.CgroupsVersion = "v2"
	}
	h.Hostname, _ = os.Hostname()
	var uts unix.Utsname
	if unix.Uname(&uts) == nil {
		h.Kernel = unix.ByteSliceToString(uts.Release[:])
	}
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) == nil {
		h.MemTotal = int64(si.Totalram) * int64(si.Unit)
		h.MemFree = int64(si.Freeram) * int64(si.Unit)
		h.Uptime = (time.Duration(si.Uptime) * time.Second).String()
	}
	h.Distribution = osRelease()
	h.EventLogger = "file"
	if cfg.EventsBackend != "" {
		h.EventLogger = cfg.EventsBackend
	}
	if cfg.NoEvents {
		h.EventLogger = "none"
	}
	h.LogDriver = "k8s-file"
	name, path, ver, conmonPath, conmonVer := rt.OCIRuntimeInfo(ctx)
	h.OCIRuntime = BinaryInfo{Name: name, Path: path, Version: ver, Package: dpkgOwner(path)}
	h.Conmon = BinaryInfo{Path: conmonPath, Version: conmonVer, Package: dpkgOwner(conmonPath)}
	h.NetworkBackend = "netavark"
	if cfg.Rootless {
		rootlessInfo(h)
	}
	moreHostInfo(h, si)
	info.Version.GitCommit, info.Version.BuiltTime, info.Version.Built = BuildInfo()
	info.Version.Os = runtime.GOOS

	s := &info.Store
	s.GraphRoot, s.RunRoot = cfg.GraphRoot, cfg.RunRoot
	s.ConfigFile = storageConfFile()
	if store, err := rt.Storage(); err == nil {
		s.GraphDriverName = store.GraphDriverName()
		s.GraphStatus = graphStatus(store)
		s.GraphOptions = graphOptions(store.GraphOptions())
	} else {
		return nil, err
	}
	moreStoreInfo(s, cfg.GraphRoot)
	s.VolumePath = cfg.VolumeDir()
	if images, err := rt.Images(); err == nil {
		if list, err := images.List(); err == nil {
			s.ImageStore.Number = len(list)
		}
	}
	rows, err := List(rt, ListOptions{All: true})
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		s.ContainerStore.Number++
		switch r.State {
		case "running":
			s.ContainerStore.Running++
		case "paused":
			s.ContainerStore.Paused++
		default:
			s.ContainerStore.Stopped++
		}
	}
	return info, nil
}

func storageConfFile() string {
	if p := os.Getenv("CONTAINERS_STORAGE_CONF"); p != "" {
		return p
	}
	return "/etc/containers/storage.conf"
}

func osRelease() Distribution {
	var d Distribution
	f, err := os.Open("/etc/os-release")
	if err != nil {
		return d
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"`)
		switch k {
		case "ID":
			d.Distribution = v
		case "VERSION_ID":
			d.Version = v
		case "VERSION_CODENAME":
			d.Codename = v
		}
	}
	return d
}

// dpkgOwner names the Debian package that installed path, if any.
func dpkgOwner(path string) string {
	if path == "" {
		return ""
	}
	out, err := exec.Command("dpkg-query", "-S", path).Output()
	if err != nil {
		return ""
	}
	pkg, _, _ := strings.Cut(strings.TrimSpace(string(out)), ":")
	return pkg
}

// rootlessInfo fills in the user namespace's maps and the user-mode
// networking tools.
func rootlessInfo(h *HostInfo) {
	h.Security.Rootless = true
	if uids, gids, err := rootless.CurrentMaps(); err == nil {
		h.IDMappings = &IDMappings{UIDMap: uids, GIDMap: gids}
	}
	h.RootlessNetworkCmd = "pasta"
	for _, tool := range []struct {
		name string
		dst  **BinaryInfo
	}{{"pasta", &h.Pasta}, {"slirp4netns", &h.Slirp4netns}} {
		path, err := exec.LookPath(tool.name)
		if err != nil {
			continue
		}
		b := &BinaryInfo{Path: path, Package: dpkgOwner(path)}
		if out, err := exec.Command(path, "--version").Output(); err == nil {
			b.Version, _, _ = strings.Cut(strings.TrimSpace(string(out)), "\n")
		}
		*tool.dst = b
	}
}
