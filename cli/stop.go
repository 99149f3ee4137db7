package cli

import (
	"syscall"

	"github.com/berth-dev/berth/internal/signals"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// timeoutFlag is -t/--time (or docker's --timeout): nil when not given,
// so the container's own stop timeout applies.
func timeoutFlag(cmd *cobra.Command, v *uint) *uint {
	if cmd.Flags().Changed("time") {
		return v
	}
	return nil
}

// bindTimeout binds -t/--time; --timeout (docker's name) is normalised to
// it, as podman does, so either spelling sets the one value.
func bindTimeout(f *pflag.FlagSet, t *uint) {
	f.UintVarP(t, "time", "t", 10, "seconds to wait for stop before killing the container")
	f.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		if name == "timeout" {
			name = "time"
		}
		return pflag.NormalizedName(name)
	})
}

// stopVerb is the service verb of stop and restart.
type stopVerb func(service.Engine, *cobra.Command, []string, service.StopOptions) ([]service.Report, error)

// newStopLike builds stop and restart: the same flags (restart adds
// --running) over one options struct.
func newStopLike(d *Deps, use, short, allHelp string, restart bool, verb stopVerb) *cobra.Command {
	var opts service.StopOptions
	var t uint
	var sig string
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := signalFlag(sig, 0)
			if err != nil {
				return err
			}
			opts.Signal = s
			e, err := d.Engine(cmd.Context())
			if err != nil {
				return err
			}
			opts.Timeout = timeoutFlag(cmd, &t)
			reports, err := verb(e, cmd, args, opts)
			if err != nil {
				return err
			}
			return printReports(cmd.OutOrStdout(), cmd.ErrOrStderr(), reports)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&opts.All, "all", "a", false, allHelp)
	bindTimeout(f, &t)
	f.StringVarP(&sig, "signal", "s", "", "signal to send to the container instead of its stop signal")
	bindSelection(f, &opts.Selection, selFlags{latest: true, filter: true, cidfile: true, ignore: true})
	if restart {
		f.BoolVar(&opts.Running, "running", false, "restart only running containers (with --all)")
	}
	return cmd
}

func newStopCommand(d *Deps) *cobra.Command {
	return newStopLike(d, "stop [options] CONTAINER [CONTAINER...]", "Stop one or more containers", "stop all running containers", false,
		func(e service.Engine, cmd *cobra.Command, args []string, o service.StopOptions) ([]service.Report, error) {
			return e.Stop(cmd.Context(), args, o)
		})
}

func newRestartCommand(d *Deps) *cobra.Command {
	return newStopLike(d, "restart [options] CONTAINER [CONTAINER...]", "Restart one or more containers", "restart all containers", true,
		func(e service.Engine, cmd *cobra.Command, args []string, o service.StopOptions) ([]service.Report, error) {
			return e.Restart(cmd.Context(), args, o)
		})
}

// signalFlag parses a --signal value; "" is def.
func signalFlag(v string, def syscall.Signal) (syscall.Signal, error) {
	if v == "" {
		return def, nil
	}
	s, err := signals.Parse(v)
	if err != nil {
		return 0, usageError("%v", err)
	}
	return s, nil
}
