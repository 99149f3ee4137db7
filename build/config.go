package build

import (
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/internal/signals"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// applyConfig applies a config-only instruction to s and returns how the
// step is recorded in the image history (after "#(nop) "): the
// instruction with its values expanded, so that a changed value is a
// changed step for the cache.
func applyConfig(s *stageState, cmd instructions.Command) (string, error) {
	cfg := &s.cfg
	switch c := cmd.(type) {
	case *instructions.EnvCommand:
		var kv []string
		for _, e := range c.Env {
			cfg.Env = setEnv(cfg.Env, e.Key+"="+e.Value)
			kv = append(kv, e.Key+"="+e.Value)
		}
		return "ENV " + strings.Join(kv, " "), nil
	case *instructions.LabelCommand:
		if cfg.Labels == nil {
			cfg.Labels = map[string]string{}
		}
		var kv []string
		for _, l := range c.Labels {
			cfg.Labels[l.Key] = l.Value
			kv = append(kv, strconv.Quote(l.Key)+"="+strconv.Quote(l.Value))
		}
		return "LABEL " + strings.Join(kv, " "), nil
	case *instructions.ExposeCommand:
		if cfg.ExposedPorts == nil {
			cfg.ExposedPorts = map[string]struct{}{}
		}
		var ports []string
		for _, p := range c.Ports {
			for _, f := range strings.Fields(p) {
				port, err := exposedPort(f)
				if err != nil {
					return "", err
				}
				cfg.ExposedPorts[port] = struct{}{}
				ports = append(ports, port)
			}
		}
		return "EXPOSE " + strings.Join(ports, " "), nil
	case *instructions.VolumeCommand:
		if cfg.Volumes == nil {
			cfg.Volumes = map[string]struct{}{}
		}
		for _, v := range c.Volumes {
			if v == "" {
				return "", fmt.Errorf("VOLUME specified can not be an empty string")
			}
			cfg.Volumes[v] = struct{}{}
		}
		return "VOLUME " + jsonList(c.Volumes), nil
	case *instructions.UserCommand:
		cfg.User = c.User
		return "USER " + c.User, nil
	case *instructions.CmdCommand:
		cfg.Cmd = cmdLine(s, c.ShellDependantCmdLine)
		s.cmdSet = true
		return "CMD " + jsonList(cfg.Cmd), nil
	case *instructions.EntrypointCommand:
		cfg.Entrypoint = cmdLine(s, c.ShellDependantCmdLine)
		if !s.cmdSet {
			// docker: an ENTRYPOINT resets a CMD inherited from the base.
			cfg.Cmd = nil
		}
		return "ENTRYPOINT " + jsonList(cfg.Entrypoint), nil
	case *instructions.StopSignalCommand:
		if _, err := signals.Parse(c.Signal); err != nil {
			return "", err
		}
		cfg.StopSignal = c.Signal
		return "STOPSIGNAL " + c.Signal, nil
	case *instructions.HealthCheckCommand:
		cfg.Healthcheck = c.Health
		b, _ := json.Marshal(c.Health)
		return "HEALTHCHECK " + string(b), nil
	case *instructions.ShellCommand:
		cfg.Shell = c.Shell
		return "SHELL " + jsonList(c.Shell), nil
	case *instructions.OnbuildCommand:
		cfg.OnBuild = append(cfg.OnBuild, c.Expression)
		return "ONBUILD " + c.Expression, nil
	case *instructions.MaintainerCommand:
		s.author = c.Maintainer
		return "MAINTAINER " + c.Maintainer, nil
	}
	return "", fmt.Errorf("instruction %s is not supported", strings.ToUpper(cmd.Name()))
}

// cmdLine is CMD's or ENTRYPOINT's argv: the shell form runs in SHELL.
func cmdLine(s *stageState, c instructions.ShellDependantCmdLine) []string {
	if c.PrependShell {
		return append(append([]string(nil), s.shell()...), strings.Join(c.CmdLine, " "))
	}
	return append([]string(nil), c.CmdLine...)
}

// exposedPort normalises an EXPOSE value to port/proto.
func exposedPort(p string) (string, error) {
	port, proto, ok := strings.Cut(p, "/")
	if !ok {
		proto = "tcp"
	}
	proto = strings.ToLower(proto)
	if proto != "tcp" && proto != "udp" && proto != "sctp" {
		return "", fmt.Errorf("invalid proto %q in EXPOSE %s", proto, p)
	}
	lo, hi, isRange := strings.Cut(port, "-")
	for _, n := range []string{lo, hi} {
		if !isRange && n == hi {
			continue
		}
		if v, err := strconv.Atoi(n); err != nil || v < 0 || v > 65535 {
			return "", fmt.Errorf("invalid port %q in EXPOSE %s", n, p)
		}
	}
	return port + "/" + proto, nil
}

// jsonList renders a list as docker's history does: ["a","b"].
func jsonList(l []string) string {
	if l == nil {
		l = []string{}
	}
	b, _ := json.Marshal(l)
	return string(b)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// joinPath joins container paths (always with /).
func joinPath(dir, p string) string { return path.Join(dir, p) }

func orRoot(dir string) string {
	if dir == "" {
		return "/"
	}
	return dir
}
