package systemd

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// PodUnits generates the unit of a pod and one unit per member container.
// The pod's unit runs the infra container and Requires the members' units;
// each member is BindsTo the pod's unit (or to the members it depends on),
// so starting or stopping the pod's unit does the same to the whole pod.
// The pod's unit comes first.
func PodUnits(p *Pod, o Options) ([]Unit, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if o.Template {
		return nil, fmt.Errorf("--template is not supported for pods")
	}
	if p.Infra == nil {
		return nil, fmt.Errorf("generating systemd unit files: pod %q has no infra container", p.Name)
	}
	if len(p.Members) == 0 {
		return nil, fmt.Errorf("generating systemd unit files: pod %q has no containers", p.Name)
	}
	nameOrID, infraNameOrID := p.ID, p.Infra.ID
	if o.Name {
		nameOrID, infraNameOrID = p.Name, p.Infra.Name
	}
	ctx := &podContext{
		service:  serviceName(o.PodPrefix, o.Separator, nameOrID),
		services: map[string]string{},
		infraID:  p.Infra.ID,
	}
	ctx.podIDFile = "%t/" + ctx.service + ".pod-id"
	var required []string
	for i := range p.Members {
		_, s := o.containerService(&p.Members[i])
		ctx.services[p.Members[i].ID] = s
		required = append(required, s)
	}
	sort.Strings(required)

	stopTimeout := p.Infra.StopTimeout
	if o.StopTimeout != nil {
		stopTimeout = *o.StopTimeout
	}
	t := strconv.FormatUint(uint64(stopTimeout), 10)
	runRoot, pidFile := p.Infra.RunRoot, p.Infra.PIDFile
	var execStartPre [][]string
	execStart := []string{o.Executable, "start", infraNameOrID}
	execStop := []string{o.Executable, "stop", "-t", t, infraNameOrID}
	execStopPost := execStop
	if o.New {
		runRoot = "%t/containers"
		pidFile = "%t/" + ctx.service + ".pid"
		verb := -1
		for i := 1; i < len(p.CreateCommand); i++ {
			if p.CreateCommand[i-1] == "pod" && p.CreateCommand[i] == "create" {
				verb = i
				break
			}
		}
		if verb < 0 {
			return nil, fmt.Errorf("pod does not appear to be created via `berth pod create`: %v", p.CreateCommand)
		}
		root := rootFlags(p.CreateCommand, verb-1)
		rest := p.CreateCommand[verb+1:]
		fs, err := runFlags(rest)
		if err != nil {
			return nil, fmt.Errorf("parsing remaining command-line arguments: %w", err)
		}
		rest = dropValueFlags(rest, fs.NArg(), []string{"--pod-id-file", "--infra-conmon-pidfile", "--exit-policy"}, nil)
		create := withRoot(o.Executable, root, "pod", "create",
			"--infra-conmon-pidfile", pidFile, "--pod-id-file", ctx.podIDFile, "--exit-policy=stop")
		if replace, _ := fs.GetBool("replace"); fs.Changed("name") && !replace {
			rest = dropValueFlags(rest, fs.NArg(), nil, []string{"--replace=false"})
			rest = append(rest, "--replace")
		}
		create = append(create, escapeArgs(rest)...)
		execStartPre = [][]string{{"/bin/rm", "-f", pidFile, ctx.podIDFile}, create}
		execStart = withRoot(o.Executable, root, "pod", "start", "--pod-id-file", ctx.podIDFile)
		execStop = withRoot(o.Executable, root, "pod", "stop", "--ignore", "--pod-id-file", ctx.podIDFile, "-t", t)
		execStopPost = withRoot(o.Executable, root, "pod", "rm", "--ignore", "-f", "--pod-id-file", ctx.podIDFile)
	}
	if pidFile == "" {
		return nil, fmt.Errorf("infra container of pod %s has no conmon PID file", p.ID)
	}

	var w unitWriter
	w.header(&o, ctx.service, false, runRoot)
	w.line("Requires=%s", joinServices(required))
	w.line("Before=%s", joinServices(required))
	w.userDeps(&o)
	w.line("")
	w.line("[Service]")
	w.line("Environment=%s=%%n", EnvVariable)
	for _, e := range o.Env {
		w.line("Environment=%s", EscapeArg(e))
	}
	restart := "on-failure"
	if o.RestartPolicy != nil {
		restart = *o.RestartPolicy
	}
	w.line("Restart=%s", restart)
	if o.RestartSec != nil && *o.RestartSec > 0 {
		w.line("RestartSec=%d", *o.RestartSec)
	}
	if o.StartTimeout != nil && *o.StartTimeout > 0 {
		w.line("TimeoutStartSec=%d", *o.StartTimeout)
	}
	w.line("TimeoutStopSec=%d", minTimeoutStopSec+stopTimeout)
	for _, pre := range execStartPre {
		w.line("ExecStartPre=%s", joinArgs(pre))
	}
	w.line("ExecStart=%s", joinArgs(execStart))
	w.line("ExecStop=%s", joinArgs(execStop))
	w.line("ExecStopPost=%s", joinArgs(execStopPost))
	w.line("PIDFile=%s", pidFile)
	w.line("Type=forking")
	w.install()

	units := []Unit{{Name: ctx.service, Content: w.b.String()}}
	for i := range p.Members {
		u, err := containerUnit(&p.Members[i], &o, ctx)
		if err != nil {
			return nil, err
		}
		units = append(units, u)
	}
	return units, nil
}

func joinArgs(args []string) string { return strings.Join(args, " ") }
