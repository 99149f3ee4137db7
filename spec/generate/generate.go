// Package generate turns user intent (spec.ContainerSpec) plus the image's
// config into an OCI runtime spec and the engine options that record the
// same intent in the container's config. It is the only code that knows
// both sides; it follows docker's semantics for the image/flag merge and
// podman's defaults for the runtime spec.
//
// The container's ID, hostname, $HOSTNAME and cgroup path are decided
// here too, from a Placement the caller looks up (the pod, the owner of a
// joined UTS namespace); the engine records the spec as it is. What is
// left for the engine at start (it is not known here):
//   - Root.Path: the mounted rootfs (set here only for --rootfs).
//   - Process.User: resolved with internal/lookup once the rootfs is
//     mounted (numeric "uid[:gid]" users are set here already), with the
//     --group-add groups, and HOME from the passwd entry when the env has
//     no HOME.
//   - the paths of joined namespaces and the mounts of volumes,
//   - the network namespace path and /etc/hosts, /etc/resolv.conf,
//     /etc/hostname bind mounts (internal/etcfiles).
package generate

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/cgroups"
	"github.com/berth-dev/berth/internal/signals"
	"github.com/berth-dev/berth/spec"
)

// Defaults that apply when neither the user nor Host say otherwise.
const (
	DefaultShmSize     = 64 << 20
	DefaultStopTimeout = 10
	DefaultPidsLimit   = 2048
	// InitMountPath is where the init binary (catatonit) appears inside
	// the container with --init.
	InitMountPath = "/run/berth-init"
	// OCIVersion is the ociVersion written into every runtime spec. crun
	// before 1.9 (Debian 12 ships 1.8) refuses any version without "1.0"
	// in it ("unknown version specified"), so we write the version podman
	// 4 writes; runc and newer crun accept it, and the fields we use are
	// the same in 1.0.2 and later.
	OCIVersion = "1.0.2-dev"
)

// initCandidates are the host paths tried for --init when no path is
// configured, in order.
var initCandidates = []string{"/usr/bin/catatonit", "/usr/libexec/podman/catatonit"}

// Host carries the facts about the host that Container needs. The caller
// builds it once (DefaultHost for the local machine); tests fill it by hand.
// Zero values mean the package defaults.
type Host struct {
	// Env is the environment `-e KEY`, `KEY` lines of --env-file and
	// --env-host read from. The CLI passes os.Environ(); the API server
	// passes nil, since docker clients resolve such keys themselves.
	Env []string
	// InitPath is the init binary for --init; "" tries initCandidates.
	InitPath string
	// ShmSize is the default /dev/shm size in bytes (0: 64m).
	ShmSize int64
	// StopTimeout is the default seconds before SIGKILL (nil: 10).
	StopTimeout *uint
	// PidsLimit is the default pids limit (0: 2048, negative: none).
	PidsLimit int64
	// CgroupManager is "cgroupfs" or "systemd".
	CgroupManager string
	// CgroupV2 is true on a unified (cgroup v2 only) host.
	CgroupV2 bool
	// Rootless is true for an unprivileged user's engine; on cgroup v1
	// it has no cgroups of its own (see noCgroups).
	Rootless bool
	// RootlessIDs is the rootless engine's user namespace (keep-id and
	// nomap are cut from it); nil for root.
	RootlessIDs *RootlessIDs
	// RootlessCgroup is the cgroup v2 subtree delegated to the rootless
	// user (nil: none, or cgroup v1: containers get no cgroups), and
	// DefaultCgroupParent the parent of containers without
	// --cgroup-parent (its berth child; "" for berth's default).
	RootlessCgroup      *cgroups.Delegation
	DefaultCgroupParent string
	// NoSwapLimit is true when the kernel has no swap accounting
	// (cgroup v1 without memory.memsw, v2 without memory.swap.max); swap
	// limits are then dropped with a warning, as podman does, instead of
	// failing at start.
	NoSwapLimit bool
	// NoBlkioWeight is true when cgroup v1's blkio controller has no
	// weight file (no CFQ/BFQ scheduler): weights are then dropped with
	// podman's warning.
	NoBlkioWeight bool
	// NoCPURt is true on a cgroup v1 host whose kernel has no real-time
	// group scheduling (no cpu.rt_runtime_us): --cpu-rt-* are refused.
	NoCPURt bool
	// NumCPU is the number of CPUs --cpus may ask for (0: the CPUs this
	// process may run on).
	NumCPU int
	// Warn receives a one-line warning about intent the host cannot
	// honour (a dropped swap limit); nil discards it.
	Warn func(msg string)
	// HardRlimit returns the host's hard limit for an RLIMIT_* resource;
	// nil reads it with getrlimit(2) when needed.
	HardRlimit func(resource int) (uint64, error)
}

// DefaultHost describes the running host: its environment, cgroup version
// and swap accounting.
func DefaultHost() Host {
	h := Host{Env: os.Environ(), CgroupManager: "cgroupfs"}
	var st unix.Statfs_t
	if err := unix.Statfs("/sys/fs/cgroup", &st); err == nil && st.Type == unix.CGROUP2_SUPER_MAGIC {
		h.CgroupV2 = true
	}
	h.NoSwapLimit = !swapAccounting("/sys/fs/cgroup", h.CgroupV2, ownCgroupV2)
	if !h.CgroupV2 {
		_, err1 := os.Stat("/sys/fs/cgroup/blkio/blkio.weight")
		_, err2 := os.Stat("/sys/fs/cgroup/blkio/blkio.bfq.weight")
		h.NoBlkioWeight = err1 != nil && err2 != nil
		_, err := os.Stat("/sys/fs/cgroup/cpu/cpu.rt_runtime_us")
		h.NoCPURt = err != nil
	}
	return h
}

// swapAccounting reports whether the kernel accounts swap, podman's way:
// on cgroup v1 the memory controller has memory.memsw.limit_in_bytes; on
// v2 the root has no memory.* files, so it looks in this process's own
// cgroup and says no only when memory.max is there and memory.swap.max is
// not (both missing: the memory controller is just not enabled there).
func swapAccounting(root string, v2 bool, own func() string) bool {
	if !v2 {
		_, err := os.Stat(filepath.Join(root, "memory", "memory.memsw.limit_in_bytes"))
		return err == nil
	}
	dir := filepath.Join(root, own())
	_, errMax := os.Stat(filepath.Join(dir, "memory.max"))
	_, errSwap := os.Stat(filepath.Join(dir, "memory.swap.max"))
	return errMax != nil || errSwap == nil
}

// ownCgroupV2 is this process's cgroup v2 path ("0::/path" in
// /proc/self/cgroup), "/" if it cannot be read.
func ownCgroupV2() string {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "/"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if p, ok := strings.CutPrefix(l, "0::"); ok {
			return p
		}
	}
	return "/"
}

func (h *Host) numCPU() int {
	if h.NumCPU > 0 {
		return h.NumCPU
	}
	return runtime.NumCPU()
}

func (h *Host) warn(msg string) {
	if h.Warn != nil {
		h.Warn(msg)
	}
}

func (h *Host) hardRlimit(resource int) (uint64, error) {
	if h.HardRlimit != nil {
		return h.HardRlimit(resource)
	}
	var rl unix.Rlimit
	if err := unix.Getrlimit(resource, &rl); err != nil {
		return 0, fmt.Errorf("getrlimit %d: %w", resource, err)
	}
	return rl.Max, nil
}

func (h *Host) lookupEnv(key string) (string, bool) {
	for i := len(h.Env) - 1; i >= 0; i-- {
		k, v, _ := strings.Cut(h.Env[i], "=")
		if k == key {
			return v, true
		}
	}
	return "", false
}

// invalid builds a bad-input error naming the flag and the value.
func invalid(format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, define.ErrInvalidArg)...)
}

// Container builds the OCI runtime spec and the engine options for s. img
// is the image the container is created from; it may be nil with
// s.Rootfs. p places it (ID, pod); the zero Placement is a new container
// outside any pod. Every bad input gives an error naming the flag or the
// field that wraps define.ErrInvalidArg.
func Container(s *spec.ContainerSpec, img *define.Image, host Host, p Placement) (*specs.Spec, []engine.CtrOption, error) {
	if s == nil {
		return nil, nil, invalid("no container spec")
	}
	if img == nil && s.Rootfs == "" {
		return nil, nil, invalid("no image and no --rootfs given")
	}
	var imgCfg v1.ImageConfig
	if img != nil {
		imgCfg = img.Config
	}

	g := &specs.Spec{
		Version:  OCIVersion,
		Root:     &specs.Root{Readonly: s.ReadOnly},
		Process:  &specs.Process{Terminal: s.Terminal},
		Hostname: s.Hostname,
		Linux:    &specs.Linux{Resources: &specs.LinuxResources{}},
	}
	if len(s.Annotations) > 0 {
		g.Annotations = maps.Clone(s.Annotations)
	}
	var opts []engine.CtrOption
	add := func(o ...engine.CtrOption) { opts = append(opts, o...) }

	if s.Name != "" {
		if err := engine.ValidateName(s.Name); err != nil {
			return nil, nil, err
		}
		add(engine.WithName(s.Name))
	}
	if img != nil {
		add(engine.WithImage(img.ID, s.Image))
	}
	if len(s.Attach) > 0 {
		add(engine.WithAttachStreams(s.Attach))
	}
	if s.InitContainerType != "" {
		add(engine.WithInitContainer(s.InitContainerType))
	}
	if s.Pod != "" {
		add(engine.WithPod(s.Pod))
	}
	if s.Rootfs != "" {
		if err := checkRootfs(s.Rootfs); err != nil {
			return nil, nil, err
		}
		g.Root.Path = s.Rootfs
		add(engine.WithRootfs(s.Rootfs))
	}

	// Command.
	entrypoint, cmd, err := command(s, imgCfg)
	if err != nil {
		return nil, nil, err
	}
	g.Process.Args = append(append([]string{}, entrypoint...), cmd...)
	add(engine.WithCommand(entrypoint, cmd))
	sysd, err := systemdMode(s.Systemd, g.Process.Args)
	if err != nil {
		return nil, nil, err
	}

	if s.Hostname != "" {
		if err := spec.ValidateHostname(s.Hostname); err != nil {
			return nil, nil, err
		}
	}

	env, err := buildEnv(s, imgCfg, &host)
	if err != nil {
		return nil, nil, err
	}
	g.Process.Env = env

	cwd, err := workDir(s, imgCfg)
	if err != nil {
		return nil, nil, err
	}
	g.Process.Cwd = cwd

	usr := s.User
	if usr == "" {
		usr = keepIDProcessUser(s, &host)
		keepIDEntries(s, &host, add)
	}
	if pod := p.Pod; usr == "" && pod != nil && !pod.Infra && pod.InfraUserNS != "" {
		// The pod's keep-id user, as podman passes on the infra's.
		usr = pod.InfraUser
	}
	if usr == "" {
		usr = imgCfg.User
	}
	g.Process.User = numericUser(usr)
	if err := groupAdd(s.GroupAdd, add); err != nil {
		return nil, nil, err
	}
	add(engine.WithUser(usr))

	labels := map[string]string{}
	for k, v := range imgCfg.Labels {
		labels[k] = v
	}
	for k, v := range s.Labels {
		labels[k] = v
	}
	if len(labels) > 0 {
		add(engine.WithLabels(labels))
	}

	stopSig := s.StopSignal
	if stopSig == 0 {
		stopSig = unix.SIGTERM
		if sysd {
			stopSig = sigRTMin3
		} else if imgCfg.StopSignal != "" {
			if stopSig, err = signals.Parse(imgCfg.StopSignal); err != nil {
				return nil, nil, fmt.Errorf("the image's stop signal: %w", err)
			}
		}
	} else if stopSig < 0 || stopSig > 64 {
		return nil, nil, invalid("stop signal %d: out of range 1-64", stopSig)
	}
	add(engine.WithStopSignal(uint(stopSig)))
	timeout := uint(DefaultStopTimeout)
	if host.StopTimeout != nil {
		timeout = *host.StopTimeout
	}
	if s.StopTimeout != nil {
		timeout = *s.StopTimeout
	}
	add(engine.WithStopTimeout(timeout))
	add(engine.WithHealth(health(s.Health, img)))
	if len(s.Secrets) > 0 {
		add(engine.WithSecrets(containerSecrets(s.Secrets)))
	}

	add(engine.WithTerminal(s.Terminal, s.Stdin))
	if s.Remove {
		add(engine.WithAutoRemove())
	}
	if s.Restart.Name != "" {
		if err := checkRestart(s.Restart); err != nil {
			return nil, nil, err
		}
		if s.Remove && s.Restart.Restarts() {
			return nil, nil, invalid("restart policy %q conflicts with removing the container when it exits (--rm)", s.Restart.Name)
		}
		add(engine.WithRestartPolicy(s.Restart.Name, s.Restart.MaxRetries))
	}
	if s.CgroupParent != "" {
		if host.CgroupManager == "systemd" && !strings.HasSuffix(s.CgroupParent, ".slice") {
			return nil, nil, invalid("--cgroup-parent %q: the systemd cgroup manager needs a slice name ending in .slice", s.CgroupParent)
		}
		if host.CgroupManager != "systemd" && !strings.HasPrefix(s.CgroupParent, "/") {
			return nil, nil, invalid("--cgroup-parent %q: must be an absolute cgroup path with the cgroupfs manager", s.CgroupParent)
		}
		add(engine.WithCgroupParent(s.CgroupParent))
	}
	if err := checkCgroupsMode(s, host); err != nil {
		return nil, nil, err
	}
	add(engine.WithCgroupsMode(s.CgroupsMode))

	shm := host.ShmSize
	if shm == 0 {
		shm = DefaultShmSize
	}
	if s.ShmSize < 0 {
		return nil, nil, invalid("shm size %d: must be positive", s.ShmSize)
	}
	if s.ShmSize > 0 {
		shm = s.ShmSize
	}
	add(engine.WithShmSize(shm))

	if err := namespaces(g, s, &host, add); err != nil {
		return nil, nil, err
	}
	if err := userNamespace(g, s, &host, p.Pod, add); err != nil {
		return nil, nil, err
	}
	if err := networking(s, imgCfg, add); err != nil {
		return nil, nil, err
	}
	if err := security(g, s, add); err != nil {
		return nil, nil, err
	}
	if capAdd, capDrop := capabilityChanges(g.Process.Capabilities.Bounding, s.Privileged); len(capAdd)+len(capDrop) > 0 {
		add(engine.WithCapabilityChanges(capAdd, capDrop))
	}
	if err := resources(g, s, &host); err != nil {
		return nil, nil, err
	}
	if err := rlimits(g, s, &host); err != nil {
		return nil, nil, err
	}
	if err := sysctls(g, s); err != nil {
		return nil, nil, err
	}
	userDests, vols, err := mounts(g, s, shm, imgCfg.Volumes)
	if err != nil {
		return nil, nil, err
	}
	if userDests, vols, err = volumesFrom(g, s, p.VolumesFrom, userDests, vols); err != nil {
		return nil, nil, err
	}
	if err := checkIDMapMounts(g, host.Rootless); err != nil {
		return nil, nil, err
	}
	shmMount(g, s.IPC)
	usernsMounts(g, s, p)
	if sysd {
		dests := slices.Clone(userDests)
		for _, v := range vols {
			dests = append(dests, v.Dest)
		}
		systemdMounts(g, dests, s.ShmSizeSystemd)
	}
	if len(userDests) > 0 {
		add(engine.WithUserVolumes(userDests))
	}
	if len(vols) > 0 {
		add(engine.WithVolumes(vols))
	}
	imgMounts, err := imageMounts(s.Mounts)
	if err != nil {
		return nil, nil, err
	}
	if len(imgMounts) > 0 {
		add(engine.WithImageMounts(imgMounts))
	}
	if len(p.VolumesFrom) > 0 {
		refs := make([]string, 0, len(p.VolumesFrom))
		for _, src := range p.VolumesFrom {
			refs = append(refs, src.Ref)
		}
		add(engine.WithVolumesFrom(refs))
	}
	if len(s.Requires) > 0 {
		add(engine.WithRequires(s.Requires))
	}
	if err := devices(g, s); err != nil {
		return nil, nil, err
	}
	if err := deviceCgroupRules(g, s); err != nil {
		return nil, nil, err
	}
	if err := cgroupConf(g, s, &host); err != nil {
		return nil, nil, err
	}
	if s.Init {
		path, err := initPath(s, &host)
		if err != nil {
			return nil, nil, err
		}
		g.Mounts = append(g.Mounts, specs.Mount{
			Destination: InitMountPath, Type: "bind", Source: path,
			Options: []string{"bind", "ro", "nosuid", "nodev"},
		})
		g.Process.Args = append([]string{InitMountPath, "--"}, g.Process.Args...)
		add(engine.WithInit(path))
	}
	// Last: the default seccomp profile depends on the final capabilities
	// and proc-opts on the /proc mount.
	if err := finishSecurity(g, s, add); err != nil {
		return nil, nil, err
	}

	if err := runOptions(g, s, imgCfg, add); err != nil {
		return nil, nil, err
	}
	annotate(g, s)

	if s.ReadOnly {
		add(engine.WithReadOnly())
	}
	if s.Runtime != "" {
		add(engine.WithOCIRuntime(s.Runtime))
	}
	lc, err := logConfig(s)
	if err != nil {
		return nil, nil, err
	}
	if lc.driver != "" || lc.path != "" {
		add(engine.WithLogDriver(lc.driver, lc.path))
	}
	if len(lc.opts) > 0 || lc.driver == "syslog" { // syslog's options are checked even when none are given
		add(engine.WithLogOptions(lc.sizeMax, lc.tag, lc.opts))
	}
	if len(s.CreateCommand) > 0 {
		add(engine.WithCreateCommand(s.CreateCommand))
	}
	if err := place(g, s, p, &host, add); err != nil {
		return nil, nil, err
	}
	if host.Rootless {
		rootlessCgroups(g, s, &host)
	}
	if s.CgroupsMode == "disabled" {
		// No cgroup, nothing to apply limits or device rules to.
		g.Linux.CgroupsPath, g.Linux.Resources = "", nil
	}
	return g, opts, nil
}

// CheckRestartPolicy is checkRestart for `update`.
func CheckRestartPolicy(r spec.RestartPolicy) error { return checkRestart(r) }

// checkRestart checks a restart policy's name, and that only on-failure
// has a retry count.
func checkRestart(r spec.RestartPolicy) error {
	switch r.Name {
	case spec.RestartNo, spec.RestartAlways, spec.RestartUnlessStopped:
		if r.MaxRetries > 0 {
			return invalid("restart policy %q: retries are only allowed with the on-failure policy", r.Name)
		}
	case spec.RestartOnFailure:
	default:
		return invalid("restart policy %q: must be one of no, always, on-failure, unless-stopped", r.Name)
	}
	return nil
}

func checkRootfs(dir string) error {
	if !strings.HasPrefix(dir, "/") {
		return invalid("--rootfs %q: must be an absolute path", dir)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return invalid("--rootfs %q: %v", dir, err)
	}
	if !st.IsDir() {
		return invalid("--rootfs %q: not a directory", dir)
	}
	return nil
}

// initPath picks the init binary for --init: the flag, the configured
// path, then the usual catatonit locations.
func initPath(s *spec.ContainerSpec, host *Host) (string, error) {
	cands := initCandidates
	if s.InitPath != "" {
		cands = []string{s.InitPath}
	} else if host.InitPath != "" {
		cands = []string{host.InitPath}
	}
	for _, p := range cands {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, nil
		}
	}
	return "", invalid("--init: no init binary found at %s", strings.Join(cands, ", "))
}
