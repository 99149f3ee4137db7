package define

// RunConfig is the part of ContainerConfig about how the container's
// process is watched from the host: a run time limit and the pid files
// written at each start. ContainerConfig embeds it.
type RunConfig struct {
	// Timeout is how many seconds conmon lets the container run before it
	// kills it (0: no limit; --timeout).
	Timeout uint `json:"timeout,omitempty"`
	// PidFile and ConmonPidFile are host paths that receive the
	// container's and conmon's PID at each start (--pidfile,
	// --conmon-pidfile); "" writes none.
	PidFile       string `json:"pidFile,omitempty"`
	ConmonPidFile string `json:"conmonPidFile,omitempty"`
}
