package define

// RunConfig is the part of ContainerConfig about how the container's
// process is watched from the host (a run time limit, the pid files
// written at each start) and which /etc files berth writes for it. ContainerConfig embeds it.
type RunConfig struct {
	// Timeout is how many seconds conmon lets the container run before it
	// kills it (0: no limit; --timeout).
	Timeout uint `json:"timeout,omitempty"`
	// PidFile and ConmonPidFile are host paths that receive the
	// container's and conmon's PID at each start (--pidfile,
	// --conmon-pidfile); "" writes none.
	PidFile       string `json:"pidFile,omitempty"`
	ConmonPidFile string `json:"conmonPidFile,omitempty"`
	// HostsFile is the base of the generated /etc/hosts: "" or "image"
	// (the image's own), "none" (empty) or a host file (--hosts-file).
	HostsFile string `json:"hostsFile,omitempty"`
	// NoHostname leaves /etc/hostname as the image has it (--no-hostname).
	NoHostname bool `json:"noHostname,omitempty"`
	// Links are docker's legacy links as "ID:ALIAS": the linked
	// container's addresses appear in /etc/hosts under the alias and its
	// name (--link).
	Links []string `json:"links,omitempty"`
	// ChrootDirs are directories in the container that get the generated
	// /etc files too, at the same paths below them (--chrootdirs).
	ChrootDirs []string `json:"chrootDirs,omitempty"`
	// PreserveFDs passes the starting process's file descriptors 3 to
	// 3+PreserveFDs-1 to the container; PreserveFD passes the listed ones
	// (each >= 3) at the same numbers, the gaps below the highest one
	// reading as an empty pipe (--preserve-fds, --preserve-fd).
	PreserveFDs uint   `json:"preserveFDs,omitempty"`
	PreserveFD  []uint `json:"preserveFD,omitempty"`
	// PasswdEntry and GroupEntry are templates for the /etc/passwd and
	// /etc/group lines added for a numeric --user without one ($USERNAME,
	// $UID, $GID, $NAME, $HOME; $GROUPNAME, $GID, $USERLIST).
	PasswdEntry string `json:"passwdEntry,omitempty"`
	GroupEntry  string `json:"groupEntry,omitempty"`
	// HostUsers are host accounts copied into /etc/passwd (--hostuser).
	HostUsers []string `json:"hostUsers,omitempty"`
	// NoPasswd keeps berth from adding any /etc/passwd or /etc/group
	// line (--passwd=false).
	NoPasswd bool `json:"noPasswd,omitempty"`
	// StorageOpts are per-container storage driver options (--storage-opt,
	// e.g. size=10G), applied when the rootfs is created.
	StorageOpts map[string]string `json:"storageOpts,omitempty"`
}
