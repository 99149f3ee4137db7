package systemd

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// ctrIDFile is where a --new unit keeps the ID of the container it made:
// %t is the runtime directory, %n the unit's name.
const ctrIDFile = "%t/%n.ctr-id"

// podContext is what a member container's unit needs from its pod's unit.
type podContext struct {
	service   string
	podIDFile string
	// services maps member IDs to their unit names, for dependencies.
	services map[string]string
	infraID  string
}

// ContainerUnit generates the unit of one container.
func ContainerUnit(c *Container, o Options) (Unit, error) {
	if err := o.Validate(); err != nil {
		return Unit{}, err
	}
	return containerUnit(c, &o, nil)
}

func containerUnit(c *Container, o *Options, pod *podContext) (Unit, error) {
	if c.Init {
		return Unit{}, fmt.Errorf("unsupported container %s: cannot generate systemd units for init containers", c.ID)
	}
	nameOrID, name := o.containerService(c)
	stopTimeout := c.StopTimeout
	if o.StopTimeout != nil {
		stopTimeout = *o.StopTimeout
	}
	restart, startLimitBurst := "on-failure", ""
	if o.RestartPolicy != nil {
		restart = *o.RestartPolicy
	}
	runRoot := c.RunRoot
	t := strconv.FormatUint(uint64(stopTimeout), 10)

	var extraEnv []string
	var execStart, execStop, execStopPost []string
	svcType, notifyAccess, pidFile := "forking", "", c.PIDFile
	if !o.New {
		if pidFile == "" {
			return Unit{}, fmt.Errorf("container %s has no conmon PID file", c.ID)
		}
		execStart = []string{o.Executable, "start", nameOrID}
		execStop = []string{o.Executable, "stop", "-t", t, nameOrID}
		execStopPost = execStop
	} else {
		runRoot = "%t/containers"
		svcType, notifyAccess, pidFile = "notify", "all", ""
		verb := indexOf(c.CreateCommand, "run", "create")
		if verb < 1 {
			return Unit{}, fmt.Errorf("cannot use --new on container %q: no create command found: only works on containers created directly with berth but not via REST API", c.ID)
		}
		root := rootFlags(c.CreateCommand, verb)
		execStart = withRoot(o.Executable, root, "run", "--cidfile="+ctrIDFile, "--cgroups=no-conmon", "--rm")
		rest := c.CreateCommand[verb+1:]
		fs, err := runFlags(rest)
		if err != nil {
			return Unit{}, fmt.Errorf("parsing remaining command-line arguments: %w", err)
		}
		nArg := fs.NArg()
		rest = dropValueFlags(rest, nArg, []string{"--cgroups", "--cidfile", "--pidfile", "--conmon-pidfile"}, []string{"--rm", "--rm=true", "--rm=false"})
		if pod != nil {
			execStart = append(execStart, "--pod-id-file", pod.podIDFile)
			rest = dropValueFlags(rest, nArg, []string{"--pod", "--pod-id-file"}, nil)
		}
		switch sd := fs.Lookup("sdnotify"); {
		case !sd.Changed:
			execStart = append(execStart, "--sdnotify=conmon")
		case sd.Value.String() == "ignore":
			// Type=notify needs someone to send READY.
			rest = dropValueFlags(rest, nArg, []string{"--sdnotify"}, nil)
			execStart = append(execStart, "--sdnotify=conmon")
		}
		if detach, _ := fs.GetBool("detach"); !detach {
			// berth run must return once the container runs, or
			// systemd would wait for it to end.
			execStart = append(execStart, "-d")
			if fs.Changed("detach") {
				rest = dropValueFlags(rest, nArg, nil, []string{"-d=false", "--detach=false"})
			}
		}
		if replace, _ := fs.GetBool("replace"); fs.Changed("name") && !replace {
			// A named container left over from a crash must not stop
			// the unit from starting.
			execStart = append(execStart, "--replace")
			if fs.Changed("replace") {
				rest = dropValueFlags(rest, nArg, nil, []string{"--replace=false"})
			}
		}
		if o.RestartPolicy == nil {
			if p, _ := fs.GetString("restart"); p != "" {
				if pol, n, ok := strings.Cut(p, ":"); ok && pol == "on-failure" {
					restart, startLimitBurst = pol, n
				} else if p == "unless-stopped" {
					restart = "always"
				} else {
					restart = p
				}
			}
		}
		envs, _ := fs.GetStringArray("env")
		for _, e := range envs {
			if strings.Contains(e, "=") {
				continue
			}
			// `-e NAME` takes the value from berth's environment,
			// which under systemd is the unit's.
			for _, ce := range c.Env {
				if k, _, _ := strings.Cut(ce, "="); k == e {
					extraEnv = append(extraEnv, EscapeArg(ce))
				}
			}
		}
		args := escapeArgs(rest)
		if o.Template {
			args = templateName(args, name)
		}
		execStart = append(execStart, args...)
		execStop = withRoot(o.Executable, root, "stop", "--ignore", "-t", t, "--cidfile="+ctrIDFile)
		execStopPost = withRoot(o.Executable, root, "rm", "-f", "--ignore", "-t", t, "--cidfile="+ctrIDFile)
	}

	var w unitWriter
	w.header(o, name, o.Template, runRoot)
	if pod != nil {
		bound := []string{}
		for _, dep := range c.DependsOn {
			if dep == pod.infraID {
				bound = append(bound, pod.service)
			} else if s, ok := pod.services[dep]; ok {
				bound = append(bound, s)
			}
		}
		if len(bound) == 0 {
			bound = append(bound, pod.service)
		}
		sort.Strings(bound)
		w.line("BindsTo=%s", joinServices(bound))
		w.line("After=%s", joinServices(bound))
	}
	w.userDeps(o)
	w.line("")
	w.line("[Service]")
	if o.Template {
		w.line("Environment=%s=%%n-%%i", EnvVariable)
	} else {
		w.line("Environment=%s=%%n", EnvVariable)
	}
	if len(extraEnv) > 0 {
		w.line("Environment=%s", strings.Join(extraEnv, " "))
	}
	for _, e := range o.Env {
		w.line("Environment=%s", EscapeArg(e))
	}
	w.line("Restart=%s", restart)
	if o.RestartSec != nil && *o.RestartSec > 0 {
		w.line("RestartSec=%d", *o.RestartSec)
	}
	if startLimitBurst != "" {
		w.line("StartLimitBurst=%s", startLimitBurst)
	}
	if o.StartTimeout != nil && *o.StartTimeout > 0 {
		w.line("TimeoutStartSec=%d", *o.StartTimeout)
	}
	w.line("TimeoutStopSec=%d", minTimeoutStopSec+stopTimeout)
	w.line("ExecStart=%s", formatCommand(execStart))
	w.line("ExecStop=%s", formatCommand(execStop))
	w.line("ExecStopPost=%s", formatCommand(execStopPost))
	if pidFile != "" {
		w.line("PIDFile=%s", pidFile)
	}
	w.line("Type=%s", svcType)
	if notifyAccess != "" {
		w.line("NotifyAccess=%s", notifyAccess)
	}
	w.install()
	return Unit{Name: name, Content: w.b.String()}, nil
}

// joinServices is "a.service b.service".
func joinServices(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = n + ".service"
	}
	return strings.Join(out, " ")
}

// indexOf returns the index of the first of words in args, or -1.
func indexOf(args []string, words ...string) int {
	for i, a := range args {
		if contains(words, a) {
			return i
		}
	}
	return -1
}

// templateName gives every instance of a template unit its own container
// name: NAME becomes NAME-%i, and without --name the unit's name is used.
func templateName(args []string, unit string) []string {
	for i, a := range args {
		switch {
		case a == "--name" && i+1 < len(args):
			args[i+1] += "-%i"
			return args
		case strings.HasPrefix(a, "--name="):
			args[i] += "-%i"
			return args
		}
	}
	return append([]string{"--name=" + unit + "-%i"}, args...)
}
