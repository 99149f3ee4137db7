package spec

// RunOptions are podman's create/run options that shape the process and
// its files rather than resources or isolation: the environment's
// defaults, the umask, the time zone, annotations, a run time limit and
// pid files. ContainerSpec embeds it.
type RunOptions struct {
	// Annotations are added to the OCI spec (--annotation).
	Annotations map[string]string
	// Umask is the process's umask (nil: 0022, podman's default).
	Umask *uint32
	// UnsetEnv are default variables (berth's, the image's) to drop;
	// UnsetEnvAll drops them all. -e, --env-file and --env-host still apply.
	UnsetEnv    []string
	UnsetEnvAll bool
	// EnvMerge are KEY=VALUE templates whose ${VAR} references expand
	// against the default environment (--env-merge).
	EnvMerge []string
	// HTTPProxy copies the host's proxy variables into the environment
	// (podman's default; nil means false, the API's default).
	HTTPProxy bool
	// Timezone is an IANA zone name or "local" (the host's): it becomes
	// the container's /etc/localtime and $TZ (--tz).
	Timezone string
	// Domainname is the UTS namespace's NIS domain name (--domainname).
	Domainname string
	// Timeout is the number of seconds the container may run before it is
	// killed (0: no limit).
	Timeout uint
	// PidFile and ConmonPidFile are host paths that receive the
	// container's and its conmon's PID at each start.
	PidFile       string
	ConmonPidFile string
	// HostsFile is the base of the generated /etc/hosts: "" or "image"
	// (the image's own), "none" (empty) or an absolute host path.
	HostsFile string
	// NoHostname leaves the image's /etc/hostname alone.
	NoHostname bool
	// Links are docker's legacy links, NAME[:ALIAS] (--link); the
	// service resolves them to "ID:ALIAS" before generate sees them.
	Links []string
	// SeccompPolicy is "" or "default", or "image": the profile in the
	// image's io.containers.seccomp.profile label, when it has one.
	SeccompPolicy string
	// ChrootDirs get the generated /etc files too (--chrootdirs).
	ChrootDirs []string
	// PreserveFDs and PreserveFD pass file descriptors of the process
	// that starts the container into it: 3 to 3+PreserveFDs-1 and the
	// listed ones (--preserve-fds, --preserve-fd).
	PreserveFDs uint
	PreserveFD  []uint
	// Personality is linux.personality's domain, LINUX or LINUX32
	// (--personality).
	Personality string
	// PasswdEntry and GroupEntry are templates of the /etc/passwd and
	// /etc/group lines berth adds for a numeric --user without one;
	// HostUsers are host accounts added to /etc/passwd (--hostuser);
	// NoPasswd adds nothing (--passwd=false).
	PasswdEntry string
	GroupEntry  string
	HostUsers   []string
	NoPasswd    bool
	// Systemd is podman's systemd mode: "true" or "" (when the command is
	// an init or systemd), "false" or "always" (--systemd).
	Systemd string
	// StorageOpts are per-container storage driver options, KEY=VALUE
	// (--storage-opt size=10G).
	StorageOpts map[string]string
	// ShmSizeSystemd caps the size of systemd mode's tmpfs mounts in bytes
	// (0: the kernel's default; --shm-size-systemd).
	ShmSizeSystemd int64
}
