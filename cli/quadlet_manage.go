package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/berth-dev/berth/cli/format"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// writeQuadletUnits writes the generator's units into dir.
func writeQuadletUnits(dir string, units []service.QuadletUnit, verbose bool, errOut io.Writer) error {
	if verbose {
		for _, u := range units {
			fmt.Fprintf(errOut, "quadlet-generator: writing %s/%s\n", dir, u.Name)
		}
	}
	return service.QuadletWrite(dir, units)
}

// quadletUser is whether the management verbs work on the user's
// quadlets: as podman, a non-root user's.
func quadletUser() service.QuadletOptions { return service.QuadletOptions{User: os.Getuid() != 0} }

// reloadSystemd asks systemd to rerun the generators, when it runs.
func reloadSystemd(cmd *cobra.Command, o service.QuadletOptions, reload bool) error {
	sd := service.Systemctl(o)
	if !reload || !sd.Running() {
		return nil
	}
	return sd.DaemonReload(cmd.Context())
}

func newQuadletInstallCommand() *cobra.Command {
	var reload, replace bool
	cmd := &cobra.Command{
		Use:   "install [options] QUADLET-PATH [FILE...]",
		Short: "Install a quadlet file or a directory of them, then reload systemd",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o := quadletUser()
			paths, err := service.QuadletInstall(cmd.Context(), o, args, replace)
			if err != nil {
				return err
			}
			for _, p := range paths {
				fmt.Fprintln(cmd.OutOrStdout(), p)
			}
			return reloadSystemd(cmd, o, reload)
		},
	}
	cmd.Flags().BoolVar(&reload, "reload-systemd", true, "reload systemd after installing")
	cmd.Flags().BoolVar(&replace, "replace", false, "replace an installed quadlet of the same name")
	return cmd
}

func newQuadletListCommand() *cobra.Command {
	var fmtStr string
	cmd := &cobra.Command{
		Use:     "list [options]",
		Aliases: []string{"ls"},
		Short:   "List the installed quadlet files",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o := quadletUser()
			var sd service.Systemd
			if s := service.Systemctl(o); s.Running() {
				sd = s
			}
			list, err := service.QuadletList(cmd.Context(), o, sd)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if format.IsJSON(fmtStr) {
				if list == nil {
					list = []service.QuadletEntry{}
				}
				return format.JSON(out, list)
			}
			rows := make([]any, len(list))
			for i := range list {
				rows[i] = list[i]
			}
			return format.Execute(out, fmtStr, rows,
				format.WithDefaultTable("table {{.Name}}\t{{.UnitName}}\t{{.Path}}\t{{.Status}}"),
				format.WithHeaders(map[string]string{"UnitName": "UNIT NAME", "Path": "PATH ON DISK"}))
		},
	}
	cmd.Flags().StringVar(&fmtStr, "format", "", "pretty-print output to JSON or using a Go template")
	return cmd
}

func newQuadletPrintCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "print QUADLET",
		Short: "Print the contents of an installed quadlet file",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := service.QuadletFind(quadletUser(), args[0])
			if err != nil {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(b)
			return err
		},
	}
}

func newQuadletRmCommand() *cobra.Command {
	var all, force, ignore, reload bool
	cmd := &cobra.Command{
		Use:     "rm [options] QUADLET [QUADLET...]",
		Aliases: []string{"remove"},
		Short:   "Remove installed quadlet files, then reload systemd",
		RunE: func(cmd *cobra.Command, args []string) error {
			o := quadletUser()
			if all {
				list, err := service.QuadletList(cmd.Context(), o, nil)
				if err != nil {
					return err
				}
				args = nil
				for _, e := range list {
					args = append(args, e.Name)
				}
			} else if len(args) == 0 {
				return usageError("must provide at least one quadlet name, or --all")
			}
			var last error
			for _, name := range args {
				err := service.QuadletRemove(cmd.Context(), o, name, force, service.Systemctl(o))
				if err != nil {
					var missing service.NoSuchQuadletError
					if ignore && errors.As(err, &missing) {
						continue
					}
					if last != nil {
						fmt.Fprintf(cmd.ErrOrStderr(), "Error: %v\n", last)
					}
					last = err
					continue
				}
				fmt.Fprintln(cmd.OutOrStdout(), name)
			}
			if err := reloadSystemd(cmd, o, reload); err != nil && last == nil {
				last = err
			}
			return last
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "remove all installed quadlets")
	cmd.Flags().BoolVarP(&force, "force", "f", false, "remove running quadlets (their units are stopped first)")
	cmd.Flags().BoolVarP(&ignore, "ignore", "i", false, "do not fail on quadlets that are not installed")
	cmd.Flags().BoolVar(&reload, "reload-systemd", true, "reload systemd after removing")
	return cmd
}
