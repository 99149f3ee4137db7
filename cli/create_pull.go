package cli

import (
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// bindCreatePullFlags adds the flags of create/run that only matter when
// the image has to be pulled: --authfile, --tls-verify, --cert-dir,
// --platform/--os/--arch/--variant and -q.
func bindCreatePullFlags(f *pflag.FlagSet, o *createFlags) {
	bindRegistryFlags(f, &o.reg, false)
	bindPlatformFlags(f, &o.plat)
	f.BoolVarP(&o.pullQuiet, "quiet", "q", false, "suppress output information when pulling images")
}

// createOptions builds the service options of create/run: the pull policy
// with its registry settings, and where the pull progress goes.
func (o *createFlags) createOptions(cmd *cobra.Command) (service.CreateOptions, error) {
	ro, err := o.reg.options(cmd)
	if err != nil {
		return service.CreateOptions{}, err
	}
	if err := o.plat.apply(&ro); err != nil {
		return service.CreateOptions{}, err
	}
	copts := service.CreateOptions{Pull: o.pull, Registry: ro, Warnings: cmd.ErrOrStderr()}
	if !o.pullQuiet {
		copts.PullWriter = cmd.ErrOrStderr()
	}
	return copts, nil
}
