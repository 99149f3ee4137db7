package cli

import (
	"time"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// bindCreatePullFlags adds the flags of create/run that only matter when
// the image has to be pulled: --authfile, --creds, --retry, --retry-delay, --tls-verify, --cert-dir,
// --platform/--os/--arch/--variant and -q.
func bindCreatePullFlags(f *pflag.FlagSet, o *createFlags) {
	bindRegistryFlags(f, &o.reg, true)
	f.UintVar(&o.retry, "retry", 3, "number of times to retry in case of failure when performing pull")
	f.StringVar(&o.retryDelay, "retry-delay", "", "delay between retries in case of pull failures (default: 1s, doubling)")
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
	copts := service.CreateOptions{Pull: o.pull, Registry: ro, Warnings: cmd.ErrOrStderr(), MaxRetries: o.retry}
	if o.retryDelay != "" {
		if copts.RetryDelay, err = time.ParseDuration(o.retryDelay); err != nil || copts.RetryDelay < 0 {
			return service.CreateOptions{}, usageError("invalid --retry-delay %q: must be a duration such as 500ms or 2s", o.retryDelay)
		}
	}
	if !o.pullQuiet {
		copts.PullWriter = cmd.ErrOrStderr()
	}
	return copts, nil
}
