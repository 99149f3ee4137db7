package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/berth-dev/berth/service"
	"github.com/berth-dev/berth/spec"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// createFlags are the flags `create` and `run` share.
type createFlags struct {
	s                spec.ContainerSpec
	entrypoint       string
	labels           []string
	stopTimeout      uint
	pull             string
	pullQuiet        bool
	retry            uint
	retryDelay       string
	reg              registryFlags
	plat             platformFlags
	cidFile          string
	pidsLimit        int64
	memorySwappiness int64
	oomScoreAdj      int
	rootfs           bool
	// readOnlyTmpfs is --read-only-tmpfs (default true).
	readOnlyTmpfs bool
	// podIDFile is --pod-id-file: the pod to join, by the ID in a file.
	podIDFile string
	health    healthFlags
	secrets   []string
	// raw holds the flag values parsed into typed spec fields.
	raw    rawCreateFlags
	userns usernsFlags
	run    runOptFlags
}

func bindCreateFlags(f *pflag.FlagSet, o *createFlags) {
	s := &o.s
	// -h is --hostname here, as in podman and docker; help is long-only.
	f.Bool("help", false, "help for this command")
	f.StringVar(&s.Name, "name", "", "assign a name to the container")
	f.StringArrayVarP(&s.Env, "env", "e", nil, "set environment variables in container")
	f.StringArrayVar(&s.EnvFiles, "env-file", nil, "read in a file of environment variables")
	f.BoolVar(&s.EnvHost, "env-host", false, "use all current host environment variables in container")
	f.StringVarP(&s.WorkDir, "workdir", "w", "", "working directory inside the container")
	f.StringVarP(&s.User, "user", "u", "", "username or UID (format: <name|uid>[:<group|gid>])")
	f.StringVar(&o.entrypoint, "entrypoint", "", "overwrite the default ENTRYPOINT of the image")
	f.StringArrayVarP(&o.labels, "label", "l", nil, "set metadata on container")
	f.StringVarP(&s.Hostname, "hostname", "h", "", "set container hostname")
	f.StringVar(&o.raw.stopSignal, "stop-signal", "", "signal to stop a container. Default is SIGTERM")
	f.UintVar(&o.stopTimeout, "stop-timeout", 10, "timeout (in seconds) that containers stopped by user command have to exit. If exceeded, the container will be forcibly stopped via SIGKILL")
	f.StringVar(&o.raw.restart, "restart", "", "restart policy to apply when a container exits (no, always, on-failure[:max], unless-stopped)")
	f.StringVar(&s.CgroupParent, "cgroup-parent", "", "optional parent cgroup for the container")
	f.StringVar(&s.CgroupsMode, "cgroups", "enabled", "control container cgroup configuration (\"enabled\"|\"disabled\"|\"no-conmon\"|\"split\")")
	f.StringVar(&o.raw.shmSize, "shm-size", "", "size of /dev/shm (format: <number>[<unit>], where unit = b, k, m or g)")
	f.StringArrayVar(&o.raw.ulimits, "ulimit", nil, "ulimit options")
	f.BoolVar(&s.Init, "init", false, "run an init binary inside the container that forwards signals and reaps processes")
	f.StringVar(&s.InitPath, "init-path", "", "path to the container-init binary")
	f.StringVar(&o.pull, "pull", "missing", `pull image policy ("always"|"missing"|"never"|"newer")`)
	bindCreatePullFlags(f, o)
	f.BoolVarP(&s.Remove, "rm", "", false, "remove container and any anonymous unnamed volume associated with the container after exit")
	f.BoolVarP(&s.Stdin, "interactive", "i", false, "keep STDIN open even if not attached")
	f.BoolVarP(&s.Terminal, "tty", "t", false, "allocate a pseudo-TTY for container")
	f.BoolVar(&s.ReadOnly, "read-only", false, "make containers root filesystem read-only")
	f.BoolVar(&o.readOnlyTmpfs, "read-only-tmpfs", true, "with --read-only, mount writable tmpfs on /run, /tmp and /var/tmp")
	f.BoolVar(&s.Privileged, "privileged", false, "give extended privileges to container")
	f.StringVarP(&o.raw.memory, "memory", "m", "", "memory limit (format: <number>[<unit>], where unit = b, k, m or g)")
	f.StringVar(&o.raw.memorySwap, "memory-swap", "", "swap limit equal to memory plus swap: '-1' to enable unlimited swap")
	f.StringVar(&o.raw.cpus, "cpus", "", "number of CPUs")
	f.Uint64VarP(&s.CPUShares, "cpu-shares", "c", 0, "CPU shares (relative weight)")
	f.Int64Var(&o.pidsLimit, "pids-limit", 0, "tune container pids limit (set -1 for unlimited)")
	f.StringVar(&o.raw.memoryReservation, "memory-reservation", "", "memory soft limit (format: <number>[<unit>], where unit = b, k, m or g)")
	f.Int64Var(&o.memorySwappiness, "memory-swappiness", -1, "tune container memory swappiness (0 to 100, or -1 for system default)")
	f.Uint64Var(&s.CPUPeriod, "cpu-period", 0, "limit the CPU CFS (Completely Fair Scheduler) period")
	f.Uint64Var(&s.CPURtPeriod, "cpu-rt-period", 0, "limit the CPU real-time period in microseconds (cgroup v1)")
	f.Int64Var(&s.CPURtRuntime, "cpu-rt-runtime", 0, "limit the CPU real-time runtime in microseconds (cgroup v1)")
	f.Int64Var(&s.CPUQuota, "cpu-quota", 0, "limit the CPU CFS (Completely Fair Scheduler) quota")
	f.StringVar(&s.CpusetCPUs, "cpuset-cpus", "", "CPUs in which to allow execution (0-3, 0,1)")
	f.StringVar(&s.CpusetMems, "cpuset-mems", "", "memory nodes (MEMs) in which to allow execution (0-3, 0,1)")
	f.IntVar(&o.oomScoreAdj, "oom-score-adj", 0, "tune the host's OOM preferences (-1000 to 1000)")
	f.BoolVar(&s.OOMKillDisable, "oom-kill-disable", false, "disable OOM Killer")
	f.Uint16Var(&s.BlkioWeight, "blkio-weight", 0, "block IO weight (relative weight) accepts a weight value between 10 and 1000")
	f.StringArrayVar(&o.raw.weightDevices, "blkio-weight-device", nil, "block IO weight (relative device weight, format: DEVICE_NAME:WEIGHT)")
	f.StringArrayVar(&o.raw.readBps, "device-read-bps", nil, "limit read rate (bytes per second) from a device (e.g. --device-read-bps=/dev/sda:1mb)")
	f.StringArrayVar(&o.raw.writeBps, "device-write-bps", nil, "limit write rate (bytes per second) to a device (e.g. --device-write-bps=/dev/sda:1mb)")
	f.StringArrayVar(&o.raw.readIOps, "device-read-iops", nil, "limit read rate (IO per second) from a device (e.g. --device-read-iops=/dev/sda:1000)")
	f.StringArrayVar(&o.raw.writeIOps, "device-write-iops", nil, "limit write rate (IO per second) to a device (e.g. --device-write-iops=/dev/sda:1000)")
	f.StringArrayVar(&s.CapAdd, "cap-add", nil, "add capabilities to the container")
	f.StringArrayVar(&s.CapDrop, "cap-drop", nil, "drop capabilities from the container")
	f.StringArrayVar(&s.SecurityOpt, "security-opt", nil, "security options")
	f.StringArrayVar(&o.raw.sysctls, "sysctl", nil, "sysctl options")
	f.StringArrayVar(&o.raw.devices, "device", nil, "add a host device to the container (HOST[:CONTAINER][:PERMISSIONS])")
	f.StringArrayVar(&o.raw.deviceRules, "device-cgroup-rule", nil, "add a rule to the cgroup allowed devices list (e.g. 'c 1:3 rwm')")
	f.StringArrayVar(&o.raw.cgroupConf, "cgroup-conf", nil, "configure cgroup v2 (key=value)")
	f.StringArrayVar(&s.GroupAdd, "group-add", nil, "add additional groups to the primary container process")
	f.StringArrayVar(&o.raw.tmpfs, "tmpfs", nil, "mount a temporary filesystem (tmpfs) into a container")
	f.StringArrayVarP(&o.raw.volumes, "volume", "v", nil, "bind mount a host path or mount a named (NAME:DST) or anonymous (DST) volume")
	f.StringArrayVar(&s.VolumesFrom, "volumes-from", nil, "mount the volumes and bind mounts of another container (CTR[:ro|rw])")
	f.StringSliceVar(&s.Requires, "requires", nil, "containers to start before this one (comma-separated)")
	f.StringVar(&s.ImageVolume, "image-volume", "bind", "what the image's VOLUME paths get: bind (anonymous volume), tmpfs or ignore")
	f.StringArrayVar(&o.raw.mounts, "mount", nil, "attach a filesystem mount to the container")
	f.BoolVar(&o.raw.useAPISocket, "use-api-socket", false, "bind mount the berth service's API socket at /var/run/docker.sock")
	f.StringArrayVar(&s.Network, "network", nil, "connect a container to a network")
	f.StringArrayVar(&s.Network, "net", nil, "connect a container to a network")
	_ = f.MarkHidden("net")
	f.StringVar(&s.Pid, "pid", "", "PID namespace to use")
	f.StringVar(&s.IPC, "ipc", "", "IPC namespace to use")
	f.StringVar(&s.UTS, "uts", "", "UTS namespace to use")
	f.StringVar(&s.CgroupNS, "cgroupns", "", "cgroup namespace to use")
	f.StringArrayVar(&s.DNS, "dns", nil, "set custom DNS servers")
	f.StringArrayVar(&s.DNSSearch, "dns-search", nil, "set custom DNS search domains")
	f.StringArrayVar(&s.DNSOption, "dns-option", nil, "set custom DNS options")
	f.StringArrayVar(&s.AddHost, "add-host", nil, "add a custom host-to-IP mapping (host:ip)")
	f.BoolVar(&s.NoHosts, "no-hosts", false, "do not create /etc/hosts within the container")
	f.StringArrayVarP(&o.raw.publish, "publish", "p", nil, "publish a container's port, or a range of ports, to the host")
	f.BoolVarP(&s.PublishAll, "publish-all", "P", false, "publish all exposed ports to random ports on the host interfaces")
	f.StringArrayVar(&o.raw.expose, "expose", nil, "expose a port or a range of ports")
	f.StringVar(&s.IP, "ip", "", "specify a static IPv4 or IPv6 address for the container")
	f.StringVar(&s.IP6, "ip6", "", "specify a static IPv6 address for the container")
	f.StringSliceVar(&s.LinkLocalIP, "link-local-ip", nil, "container IPv4/IPv6 link-local addresses")
	f.StringVar(&s.MacAddress, "mac-address", "", "container MAC address (e.g. 92:d0:c6:0a:29:33)")
	f.StringArrayVar(&s.NetworkAlias, "network-alias", nil, "add network-scoped alias for the container")
	f.StringVar(&s.LogDriver, "log-driver", "", "logging driver for the container (k8s-file, json-file, journald, syslog, none, passthrough)")
	f.StringArrayVar(&s.LogOpts, "log-opt", nil, "logging driver options")
	f.BoolVar(&o.rootfs, "rootfs", false, "the first argument is not an image but the rootfs to the exploded container")
	f.StringVar(&o.cidFile, "cidfile", "", "write the container ID to the file")
	f.StringVar(&s.Pod, "pod", "", "run container in an existing pod, or a new one with new:NAME")
	f.StringVar(&o.podIDFile, "pod-id-file", "", "run container in the pod whose ID is in this file")
	bindHealthFlags(f, &o.health)
	bindUsernsFlags(f, &o.userns)
	bindSecretFlag(f, &o.secrets)
	bindRunOptFlags(f, o)
}

// toSpec finishes the spec from the positional arguments and the flags
// that need a look at whether they were set.
func (o *createFlags) toSpec(cmd *cobra.Command, args []string) (*spec.ContainerSpec, service.CreateOptions, error) {
	s := o.s
	f := cmd.Flags()
	if o.rootfs {
		if len(args) < 1 {
			return nil, service.CreateOptions{}, usageError("--rootfs needs the rootfs directory as first argument")
		}
		s.Rootfs = args[0]
	} else {
		s.Image = args[0]
	}
	s.Command = args[1:]
	s.NoReadOnlyTmpfs = !o.readOnlyTmpfs
	if o.podIDFile != "" {
		if s.Pod != "" {
			return nil, service.CreateOptions{}, usageError("--pod and --pod-id-file cannot be used together")
		}
		b, err := os.ReadFile(o.podIDFile)
		if err != nil {
			return nil, service.CreateOptions{}, usageError("reading --pod-id-file: %v", err)
		}
		s.Pod = strings.TrimSpace(string(b))
	}
	if f.Changed("entrypoint") {
		s.EntrypointSet = true
		if o.entrypoint != "" {
			if strings.HasPrefix(o.entrypoint, "[") {
				ep, err := parseJSONArray(o.entrypoint)
				if err != nil {
					return nil, service.CreateOptions{}, usageError("invalid --entrypoint %q: %v", o.entrypoint, err)
				}
				s.Entrypoint = ep
			} else {
				s.Entrypoint = []string{o.entrypoint}
			}
		}
	}
	if err := o.run.apply(f, &s, o.labels); err != nil {
		return nil, service.CreateOptions{}, err
	}
	if f.Changed("stop-timeout") {
		t := o.stopTimeout
		s.StopTimeout = &t
	}
	if f.Changed("pids-limit") {
		p := o.pidsLimit
		s.PidsLimit = &p
	}
	if f.Changed("memory-swappiness") && o.memorySwappiness != -1 {
		// -1 is podman's "the system default", the same as not given.
		v := o.memorySwappiness
		s.MemorySwappiness = &v
	}
	if f.Changed("oom-score-adj") {
		v := o.oomScoreAdj
		s.OOMScoreAdj = &v
	}
	h, err := o.health.toSpec(f)
	if err != nil {
		return nil, service.CreateOptions{}, err
	}
	s.Health = h
	if s.Secrets, err = parseContainerSecrets(o.secrets); err != nil {
		return nil, service.CreateOptions{}, err
	}
	if err := o.raw.parse(&s); err != nil {
		return nil, service.CreateOptions{}, err
	}
	if err := o.userns.parse(&s); err != nil {
		return nil, service.CreateOptions{}, err
	}
	if s.Remove && s.Restart.Restarts() {
		return nil, service.CreateOptions{}, usageError("the --rm option conflicts with --restart, when the restartPolicy is not \"no\"")
	}
	copts, err := o.createOptions(cmd)
	if err != nil {
		return nil, service.CreateOptions{}, err
	}
	return &s, copts, nil
}

func newCreateCommand(d *Deps) *cobra.Command {
	o := &createFlags{}
	var initCtr string
	var attach []string
	cmd := &cobra.Command{
		Use:   "create [options] IMAGE [COMMAND [ARG...]]",
		Short: "Create but do not start a container",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkInitCtr(cmd, initCtr); err != nil {
				return err
			}
			s, copts, err := o.toSpec(cmd, args)
			if err != nil {
				return err
			}
			s.InitContainerType = initCtr
			for _, a := range attach {
				if a != "stdin" && a != "stdout" && a != "stderr" {
					return usageError("invalid stream %q for --attach: must be stdin, stdout or stderr", a)
				}
			}
			s.Attach = attach
			if err := o.replaceExisting(cmd, d); err != nil {
				return err
			}
			labelUnit(s)
			if d.isRemote() {
				return createRemote(cmd, d, s, copts, o.cidFile, false)
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			c, err := service.Create(cmd.Context(), rt, s, copts)
			if err != nil {
				return err
			}
			if err := writeCIDFile(o.cidFile, c.ID()); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), c.ID())
			return nil
		},
	}
	cmd.Flags().SetInterspersed(false)
	bindCreateFlags(cmd.Flags(), o)
	cmd.Flags().StringVar(&initCtr, "init-ctr", "", "make this container an init container of its pod ('always' or 'once')")
	cmd.Flags().StringArrayVarP(&attach, "attach", "a", nil, "attach to STDIN, STDOUT or STDERR (recorded: inspect's Config.Attach*)")
	return cmd
}

// checkInitCtr checks --init-ctr as podman's create does, before any
// pull: it needs --pod and one of the two types.
func checkInitCtr(cmd *cobra.Command, v string) error {
	if !cmd.Flags().Changed("init-ctr") {
		return nil
	}
	if !cmd.Flags().Changed("pod") && !cmd.Flags().Changed("pod-id-file") {
		return errors.New("must specify pod value with init-ctr")
	}
	if v != "always" && v != "once" {
		return errors.New("init-ctr value must be 'always' or 'once'")
	}
	return nil
}
