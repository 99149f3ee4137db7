package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newGenerateSystemdCommand(d *Deps) *cobra.Command {
	var o service.SystemdOptions
	var files bool
	var format, restartPolicy string
	var restartSec, startTimeout, stopTimeout uint
	cmd := &cobra.Command{
		Use:   "systemd [options] {CONTAINER|POD}",
		Short: "Generate systemd units",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f := cmd.Flags()
			if f.Changed("restart-policy") {
				o.RestartPolicy = &restartPolicy
			}
			if f.Changed("restart-sec") {
				o.RestartSec = &restartSec
			}
			if f.Changed("start-timeout") {
				o.StartTimeout = &startTimeout
			}
			if f.Changed("stop-timeout") || f.Changed("time") {
				o.StopTimeout = &stopTimeout
			}
			if format != "" && format != "json" {
				return usageError("%s is not a supported format", format)
			}
			if err := o.Validate(); err != nil {
				return usageError("%v", err)
			}
			exe, err := os.Executable()
			if err != nil {
				exe = "/usr/bin/berth"
			}
			o.Executable, o.Version = exe, Version
			if !o.NoHeader {
				o.Now = time.Now()
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			units, err := service.GenerateSystemd(cmd.Context(), rt, args[0], o)
			if err != nil {
				return err
			}
			return printUnits(cmd, units, files, format == "json", o.Template)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.Name, "name", "n", false, "use container/pod names instead of IDs")
	f.BoolVar(&o.New, "new", false, "create a new container or pod instead of starting an existing one")
	f.BoolVarP(&files, "files", "f", false, "generate .service files instead of printing to stdout")
	f.StringVar(&format, "format", "", "print the created units in specified format (json)")
	f.BoolVar(&o.NoHeader, "no-header", false, "skip header generation")
	f.BoolVar(&o.Template, "template", false, "make it a template file and use %i and %I specifiers")
	f.StringVar(&restartPolicy, "restart-policy", "on-failure", "systemd restart-policy")
	f.UintVar(&restartSec, "restart-sec", 0, "systemd restart-sec")
	f.UintVar(&startTimeout, "start-timeout", 0, "start timeout override")
	f.UintVar(&stopTimeout, "stop-timeout", 10, "stop timeout override")
	f.UintVarP(&stopTimeout, "time", "t", 10, "stop timeout override")
	_ = f.MarkHidden("time")
	f.StringVar(&o.ContainerPrefix, "container-prefix", "container", "systemd unit name prefix for containers")
	f.StringVar(&o.PodPrefix, "pod-prefix", "pod", "systemd unit name prefix for pods")
	f.StringVar(&o.Separator, "separator", "-", "systemd unit name separator between name/id and prefix")
	f.StringArrayVar(&o.After, "after", nil, "add dependencies order to the generated unit file")
	f.StringArrayVar(&o.Wants, "wants", nil, "add (weak) requirement dependencies to the generated unit file")
	f.StringArrayVar(&o.Requires, "requires", nil, "similar to wants, but declares stronger requirement dependencies")
	f.StringArrayVarP(&o.Env, "env", "e", nil, "set environment variables to the systemd unit files")
	return cmd
}

// printUnits prints the units (separated by a blank line) or, with
// files, writes NAME.service into the working directory and prints the
// paths; asJSON prints either as a JSON object or list, as podman does.
func printUnits(cmd *cobra.Command, units []service.SystemdUnit, files, asJSON, template bool) error {
	out := cmd.OutOrStdout()
	if files {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		var paths []string
		for _, u := range units {
			p := filepath.Join(wd, u.FileName(template))
			if err := os.WriteFile(p, []byte(u.Content), 0o644); err != nil {
				return fmt.Errorf("generating systemd unit: %w", err)
			}
			paths = append(paths, p)
		}
		if asJSON {
			return writeJSON(out, paths)
		}
		_, err = fmt.Fprintln(out, strings.Join(paths, "\n"))
		return err
	}
	if asJSON {
		m := map[string]string{}
		for _, u := range units {
			m[u.Name] = u.Content
		}
		return writeJSON(out, m)
	}
	for i, u := range units {
		if i > 0 {
			fmt.Fprintln(out)
		}
		fmt.Fprint(out, u.Content)
	}
	return nil
}

func writeJSON(w interface{ Write([]byte) (int, error) }, v any) error {
	b, err := json.MarshalIndent(v, "", "    ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, string(b))
	return err
}
