package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// generatorUsage is the generator's own usage, podman's quadlet flags.
const generatorUsage = "usage: berth quadlet [-dryrun] [-user] [-v] [-no-kmsg-log] OUTDIR [EARLY LATE]"

// newQuadletCommand is `quadlet`: called with directories it is the
// systemd generator (also as berth-system-generator or
// berth-user-generator, see cmd/berth); its subcommands manage the
// installed quadlet files.
func newQuadletCommand(d *Deps) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "quadlet [-dryrun] [-user] [-v] OUTDIR [EARLY LATE] | quadlet COMMAND",
		Short: "Generate systemd units from quadlet files, and manage quadlet files",
		// The generator's flags are single-dash words (-dryrun), as
		// systemd and podman's quadlet spell them.
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runGenerator(cmd, args)
		},
	}
	cmd.AddCommand(newQuadletInstallCommand(), newQuadletListCommand(), newQuadletPrintCommand(), newQuadletRmCommand())
	return cmd
}

func runGenerator(cmd *cobra.Command, args []string) error {
	var dryRun, user, verbose bool
	var dirs []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		// Without flag parsing the global flags (--root X) arrive here
		// too: they are the root command's, already applied.
		if name, _, hasValue := strings.Cut(strings.TrimPrefix(a, "--"), "="); strings.HasPrefix(a, "--") {
			if f := cmd.Root().PersistentFlags().Lookup(name); f != nil {
				if !hasValue && f.NoOptDefVal == "" {
					i++
				}
				continue
			}
		}
		switch strings.TrimLeft(a, "-") {
		case "dryrun":
			dryRun = true
		case "user":
			user = true
		case "v":
			verbose = true
		case "no-kmsg-log", "version":
		case "h", "help":
			fmt.Fprintln(cmd.OutOrStdout(), generatorUsage)
			return nil
		default:
			if strings.HasPrefix(a, "-") {
				return usageError("unknown flag %s\n%s", a, generatorUsage)
			}
			dirs = append(dirs, a)
		}
	}
	if !dryRun && (len(dirs) < 1 || len(dirs) > 3) {
		return usageError("missing output directory\n%s", generatorUsage)
	}
	exe, err := os.Executable()
	if err != nil {
		exe = "/usr/bin/berth"
	}
	o := service.QuadletOptions{User: user}
	errOut := cmd.ErrOrStderr()
	if verbose {
		fmt.Fprintf(errOut, "quadlet-generator: starting quadlet-generator, output to: %s\n", strings.Join(dirs, " "))
		for _, d := range service.QuadletDirs(o) {
			fmt.Fprintf(errOut, "quadlet-generator: searching for units in %s\n", d)
		}
	}
	units, errs, err := service.QuadletGenerate(o, exe)
	if err != nil {
		return err
	}
	for _, e := range errs {
		fmt.Fprintf(errOut, "quadlet-generator[%d]: %v\n", os.Getpid(), e)
	}
	if dryRun {
		for _, u := range units {
			fmt.Fprintf(cmd.OutOrStdout(), "---%s---\n%s\n", u.Name, u.Content)
		}
	} else if err := writeQuadletUnits(dirs[0], units, verbose, errOut); err != nil {
		return err
	}
	if len(errs) > 0 {
		return &ExitError{Code: 1}
	}
	return nil
}
