package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/hooks"
	"github.com/berth-dev/berth/engine/network"
	"github.com/berth-dev/berth/engine/oci"
	"github.com/berth-dev/berth/internal/apparmor"
	"github.com/berth-dev/berth/internal/etcfiles"
	"github.com/berth-dev/berth/internal/fault"
	"github.com/berth-dev/berth/internal/lookup"
	"github.com/berth-dev/berth/internal/rootcopy"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// initLocked creates the container in the OCI runtime without starting
// it: mounts the rootfs, resolves the user, writes the bundle and has
// conmon run `runc create`. On failure everything is undone and the
// container stays as it was.
//
// Preconditions: c.lock is held; status is Configured, Stopped or Exited.
func (c *Container) initLocked(ctx context.Context) (retErr error) {
	switch c.state.Status {
	case define.StatusConfigured:
	case define.StatusStopped, define.StatusExited:
		// reinit: drop what the previous run left in the runtime.
		if err := c.cleanupLocked(ctx); err != nil {
			return err
		}
	default:
		return c.stateError("initialize")
	}
	rt, err := c.runtime.ociRuntimeFor(c.config.OCIRuntime)
	if err != nil {
		return err
	}
	// Runs last: after every undo below, a state saved mid-init is
	// replaced by what the undo left (no volume use recorded).
	defer func() {
		if retErr != nil && c.savedMidInit {
			if err := c.saveLocked(); err != nil {
				warnf("container %s: saving its state after a failed init: %v", c.config.Name, err)
			}
		}
		c.savedMidInit = false
	}()
	spec, err := c.runtime.state.ContainerSpec(c.config.ID)
	if err != nil {
		return err
	}
	// The default AppArmor profile was loaded when the container was
	// created; a reboot since then unloaded it. Only AppArmor hosts name
	// a profile, so elsewhere this is one comparison.
	if spec.Process != nil && spec.Process.ApparmorProfile != "" {
		if err := apparmor.Default.EnsureLoaded(spec.Process.ApparmorProfile); err != nil {
			return fmt.Errorf("container %s: %w", c.config.Name, err)
		}
	}
	if c.config.IsInfra {
		// The pod's cgroup, with its limits, exists before its first
		// container does, however the start came (pod start, or a
		// member starting its dependency).
		if err := c.runtime.createPodCgroup(c.config.Pod); err != nil {
			return fmt.Errorf("container %s: %w", c.config.Name, err)
		}
	}
	mountpoint, err := c.mountRootfsLocked()
	if err != nil {
		return err
	}
	fault.At("init-mounted", 0, 0)
	if err := c.usernsSpecLocked(spec, mountpoint); err != nil {
		c.unmountRootfsLocked()
		return err
	}
	defer func() {
		if retErr != nil {
			c.unmountRootfsLocked()
		}
	}()
	bundle := c.bundleDir()
	if err := os.MkdirAll(bundle, 0o700); err != nil {
		return err
	}
	defer func() {
		if retErr != nil {
			os.RemoveAll(bundle)
		}
	}()
	// Networking starts first and finishes while the runtime creates the
	// container; the generated /etc files get its addresses afterwards.
	portFiles, finishNetwork, err := c.setupNetworkLocked(ctx, spec)
	if err != nil {
		return err
	}
	defer network.CloseFiles(portFiles) // conmon holds its own copies
	fault.At("init-network", 0, 0)
	defer func() {
		if retErr != nil {
			_ = finishNetwork(0) // settle the setup before undoing it
			_ = c.teardownNetworkLocked(ctx)
		}
	}()
	if err := c.joinNamespacesLocked(spec); err != nil {
		return err
	}
	undoShm, err := c.setupShmLocked(spec)
	if err != nil {
		return err
	}
	defer func() {
		if retErr != nil {
			undoShm()
		}
	}()
	hostsSeed := c.hostsSeed(mountpoint)
	if err := c.completeSpecLocked(spec, mountpoint, bundle, hostsSeed); err != nil {
		return err
	}
	if err := c.prepareRTBudgetLocked(spec); err != nil {
		return err
	}
	// What an earlier run wrote to overlay (:O) mounts is thrown away,
	// also when its cleanup never ran (a reboot).
	if err := c.removeOverlaysLocked(); err != nil {
		return err
	}
	defer func() {
		if retErr != nil {
			_ = c.removeOverlaysLocked()
		}
	}()
	// The user's host mounts first: the volumes' mounts are added after.
	if err := c.prepareHostMountsLocked(spec); err != nil {
		return err
	}
	defer func() {
		if retErr != nil {
			if err := c.unmountIDMaps(); err != nil {
				warnf("%v", err)
			}
		}
	}()
	if err := c.mountVolumesLocked(spec, mountpoint); err != nil {
		return err
	}
	defer func() {
		if retErr != nil {
			c.unmountVolumesLocked()
		}
	}()
	// OCI hooks are read at every start, so a container gets the hooks
	// directories as they are then (as in podman).
	if err := hooks.Apply(spec, c.runtime.cfg.HooksDirs); err != nil {
		return err
	}
	data, err := json.Marshal(spec)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(bundle, "config.json"), data, 0o600); err != nil {
		return err
	}
	if err := os.MkdirAll(c.staticDir(), 0o700); err != nil {
		return err
	}
	_ = os.Remove(rt.ExitFilePath(c.config.ID))
	logDriver := c.config.LogDriver
	if logDriver == "" {
		logDriver = "k8s-file"
	}
	logTag, err := expandLogTag(c.config.LogTag, c.config)
	if err != nil {
		return err
	}
	preserved, err := c.preservedFiles()
	if err != nil {
		return err
	}
	var stdout, stderr *os.File
	if logDriver == "syslog" {
		if stdout, stderr, err = c.startSyslog(logTag); err != nil {
			closeFiles(preserved)
			return err
		}
	}
	pid, conmonPID, err := rt.CreateContainer(ctx, oci.CreateOptions{
		ID:             c.config.ID,
		Name:           c.config.Name,
		BundleDir:      bundle,
		LogPath:        c.LogPath(),
		LogDriver:      logDriver,
		LogSizeMax:     c.config.LogSizeMax,
		LogTag:         logTag,
		ExitCommand:    c.runtime.cfg.exitCommandArgs(c.config.ID, c.config.AutoRemove),
		ExitDelay:      c.exitDelay(),
		Terminal:       c.config.Terminal,
		Stdin:          c.config.Stdin,
		Timeout:        c.config.Timeout,
		NoCgroups:      c.config.CgroupsMode == "disabled",
		ExtraFiles:     portFiles,
		PreservedFiles: preserved,
		Stdout:         stdout,
		Stderr:         stderr,
	})
	closeFiles(preserved)
	// conmon and the container hold their copies: the forwarder reads EOF
	// once they are gone (or at once, when the create failed).
	closeFiles([]*os.File{stdout, stderr})
	if err != nil {
		if gone := c.joinTargetsGone(); gone != nil {
			return gone
		}
		return fmt.Errorf("container %s: %w", c.config.Name, err)
	}
	fault.At("init-created", conmonPID, pid)
	if err := finishNetwork(pid); err != nil {
		_ = rt.KillContainer(ctx, c.config.ID, 9, c.hasCgroup())
		_ = rt.DeleteContainer(ctx, c.config.ID)
		return err
	}
	c.rewriteEtcFilesLocked(bundle, hostsSeed)
	if err := c.writePidFiles(pid, conmonPID); err != nil {
		_ = rt.KillContainer(ctx, c.config.ID, 9, true)
		_ = rt.DeleteContainer(ctx, c.config.ID)
		return err
	}
	c.state.PID = pid
	c.state.ConmonPID = conmonPID
	c.state.Mountpoint = mountpoint
	c.state.RunDir = bundle
	c.state.ExitCode = 0
	c.state.OOMKilled = false
	c.state.Error = ""
	c.state.Status = define.StatusCreated
	if err := c.saveLocked(); err != nil {
		_ = rt.KillContainer(ctx, c.config.ID, 9, c.hasCgroup())
		_ = rt.DeleteContainer(ctx, c.config.ID)
		return err
	}
	c.runtime.event(c.newEvent("init"))
	return nil
}

// mountRootfsLocked mounts the container's rootfs and returns its path.
func (c *Container) mountRootfsLocked() (string, error) {
	if c.config.ImageID == "" {
		return c.config.Rootfs, nil
	}
	store, err := c.rootfsStore()
	if err != nil {
		return "", err
	}
	mp, err := store.Mount(c.config.ID)
	if err != nil {
		return "", fmt.Errorf("mounting rootfs of %s: %w", c.config.Name, err)
	}
	return mp, nil
}

func (c *Container) unmountRootfsLocked() {
	if c.config.ImageID == "" {
		return
	}
	if store, err := c.runtime.storage(); err == nil {
		_ = store.Unmount(c.config.ID, false)
	}
}

// completeSpecLocked fills in what can only be known at init time: the
// rootfs path, the numeric user and groups from the container's
// /etc/passwd and /etc/group, and the generated /etc/hosts (from
// hostsSeed), /etc/resolv.conf and /etc/hostname.
func (c *Container) completeSpecLocked(spec *specs.Spec, rootfs, bundle string, hostsSeed []byte) error {
	if spec.Root == nil {
		spec.Root = &specs.Root{}
	}
	spec.Root.Path = rootfs
	spec.Root.Readonly = c.config.ReadOnly
	if spec.Process == nil {
		return fmt.Errorf("container %s has no process in its spec: %w", c.config.Name, define.ErrInvalidArg)
	}
	// The user's own groups, then --group-add's; exec without --user
	// inherits both from this spec, as in podman.
	if err := c.addUserEntriesLocked(spec, rootfs, bundle); err != nil {
		return err
	}
	u, err := lookup.User(rootfs, c.config.User, c.config.Groups...)
	if err != nil {
		return err
	}
	spec.Process.User.UID = u.UID
	spec.Process.User.GID = u.GID
	spec.Process.User.AdditionalGids = u.AdditionalGids
	if !hasEnv(spec.Process.Env, "HOME") {
		home := u.Home
		if home == "" {
			home = "/"
		}
		spec.Process.Env = append(spec.Process.Env, "HOME="+home)
	}
	if err := c.addSecretsLocked(spec, bundle); err != nil {
		return err
	}
	return c.writeEtcFilesLocked(spec, bundle, hostsSeed)
}

func hasEnv(env []string, key string) bool {
	for _, e := range env {
		if strings.HasPrefix(e, key+"=") {
			return true
		}
	}
	return false
}

// writeEtcFilesLocked generates /etc/hosts (from hostsSeed, the image's),
// /etc/resolv.conf and /etc/hostname in the bundle and bind-mounts them,
// unless the user mounted something over them.
func (c *Container) writeEtcFilesLocked(spec *specs.Spec, bundle string, hostsSeed []byte) error {
	userMounted := map[string]bool{}
	for _, m := range spec.Mounts {
		userMounted[m.Destination] = true
	}
	var files []struct {
		dest string
		data []byte
	}
	add := func(dest string, data []byte) {
		files = append(files, struct {
			dest string
			data []byte
		}{dest, data})
	}
	// A container in another's network namespace (a pod member) sees
	// that one's names and resolvers, as in podman: the pod's --add-host
	// and --dns live on its infra container.
	var ownerHosts, ownerResolv []byte
	hostAdd, err := c.hostEntriesLocked()
	if err != nil {
		return err
	}
	if id := c.config.Namespaces["net"]; id != "" && len(hostAdd) == 0 && len(c.config.DNSServers) == 0 {
		ownerDir := filepath.Join(c.runtime.cfg.bundleRoot(), id)
		ownerHosts, _ = os.ReadFile(filepath.Join(ownerDir, "hosts"))
		ownerResolv, _ = os.ReadFile(filepath.Join(ownerDir, "resolv.conf"))
	}
	switch {
	case c.config.NoHosts:
	case ownerHosts != nil:
		add("/etc/hosts", ownerHosts)
	case c.config.NetMode != "host":
		add("/etc/hosts", etcfiles.Hosts(c.config.Hostname, c.containerIPs(), hostAdd, hostsSeed))
	default:
		if data, err := os.ReadFile("/etc/hosts"); err == nil {
			add("/etc/hosts", data)
		}
	}
	if ownerResolv != nil {
		add("/etc/resolv.conf", ownerResolv)
	} else {
		hostResolv, _ := os.ReadFile("/etc/resolv.conf")
		add("/etc/resolv.conf", c.resolvConfLocked(hostResolv))
	}
	// The config's hostname, not the spec's: a container in another's (or
	// the host's) UTS namespace has that one's name but sets none.
	if c.config.Hostname != "" && !c.config.NoHostname {
		add("/etc/hostname", etcfiles.HostnameFile(c.config.Hostname))
	}
	add("/run/.containerenv", c.containerEnvFile())
	for _, f := range files {
		if userMounted[f.dest] {
			continue
		}
		src := filepath.Join(bundle, filepath.Base(f.dest))
		if err := os.WriteFile(src, f.data, 0o644); err != nil {
			return err
		}
		for _, root := range append([]string{"/"}, c.config.ChrootDirs...) {
			spec.Mounts = append(spec.Mounts, specs.Mount{
				Destination: filepath.Join(root, f.dest), Type: "bind", Source: src,
				Options: []string{"bind", "rprivate", "nosuid", "noexec", "nodev"},
			})
		}
	}
	if c.config.Init {
		spec.Mounts = append(spec.Mounts, specs.Mount{
			Destination: "/run/berth-init", Type: "bind", Source: c.config.InitPath,
			Options: []string{"bind", "ro", "rprivate"},
		})
	}
	return nil
}

// maxHostsSeed bounds the image's /etc/hosts taken as a seed.
const maxHostsSeed = 1 << 20

// hostsSeed returns the container's own /etc/hosts under rootfs, whose
// entries the generated file keeps (podman does the same), or nil when
// berth generates no /etc/hosts. The image is untrusted: the file is read
// in-root (a symlink to a host file reads nothing of the host), and only
// as a regular file of at most 1 MiB. A FIFO, a device or a huge file is
// ignored with a warning, so it can neither block init, which holds the
// container lock, nor feed it without end.
func (c *Container) hostsSeed(rootfs string) []byte {
	if c.config.NoHosts || c.config.NetMode == "host" || rootfs == "" {
		return nil
	}
	switch c.config.HostsFile {
	case "none":
		return nil
	case "", "image":
	default:
		data, err := readHostsBase(c.config.HostsFile)
		if err != nil {
			warnf("container %s: ignoring --hosts-file: %v", c.config.Name, err)
		}
		return data
	}
	data, err := rootcopy.ReadFile(rootfs, "/etc/hosts", maxHostsSeed)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			warnf("container %s: ignoring its /etc/hosts as the seed of the generated one: %v", c.config.Name, err)
		}
		return nil
	}
	return data
}

// containerIPs lists the container's addresses without prefix length.
func (c *Container) containerIPs() []string {
	var ips []string
	for _, n := range c.state.NetworkStatus {
		for _, cidr := range n.IPs {
			ip, _, _ := strings.Cut(cidr, "/")
			ips = append(ips, ip)
		}
	}
	return ips
}

// exitCodeFromError maps a start error to the exit code docker reports.
func exitCodeFromError(err error) int32 {
	switch {
	case errors.Is(err, define.ErrOCIRuntimeNotFound):
		return 127
	case errors.Is(err, define.ErrOCIRuntimePermissionDenied):
		return 126
	}
	return 126
}
