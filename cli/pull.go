package cli

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newPullCommand(d *Deps) *cobra.Command {
	var (
		reg      registryFlags
		plat     platformFlags
		allTags  bool
		quiet    bool
		policy   string
		pullOpts service.PullOptions
		// retry and retryDelay are podman's --retry and --retry-delay.
		retry      uint
		retryDelay string
		// decryptionKeys is refused: encrypted images are not supported.
		decryptionKeys      []string
		disableContentTrust bool
	)
	cmd := &cobra.Command{
		Use:   "pull [options] IMAGE [IMAGE...]",
		Short: "Pull an image from a registry",
		Long: "Pull images from a registry (short names resolved through registries.conf) or from any transport:\n" +
			"docker://, oci:, oci-archive:, docker-archive:, dir:, containers-storage:.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(decryptionKeys) > 0 {
				return usageError("--decryption-key is not supported by berth: encrypted images cannot be pulled or run")
			}
			ro, err := reg.options(cmd)
			if err != nil {
				return err
			}
			if err := plat.apply(&ro); err != nil {
				return err
			}
			if err := service.ValidPullPolicy(policy); err != nil {
				return err
			}
			pullOpts = service.PullOptions{RegistryOptions: ro, Policy: policy, AllTags: allTags,
				MaxRetries: retry, RetryWarn: cmd.ErrOrStderr()}
			if retryDelay != "" {
				if pullOpts.RetryDelay, err = time.ParseDuration(retryDelay); err != nil || pullOpts.RetryDelay < 0 {
					return usageError("invalid --retry-delay %q: must be a duration such as 500ms or 2s", retryDelay)
				}
			}
			if !quiet {
				pullOpts.ReportWriter = cmd.ErrOrStderr()
			}
			// An interrupted pull must still clean up what it stored, so
			// SIGINT and SIGTERM cancel it instead of killing the process.
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			e, err := d.Engine(ctx)
			if err != nil {
				return err
			}
			for _, name := range args {
				imgs, err := e.Pull(ctx, name, pullOpts)
				if err != nil {
					return err
				}
				for _, img := range imgs {
					fmt.Fprintln(cmd.OutOrStdout(), img.ID)
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	bindRegistryFlags(f, &reg, true)
	bindPlatformFlags(f, &plat)
	f.BoolVarP(&allTags, "all-tags", "a", false, "pull all tagged images in the repository")
	f.BoolVarP(&quiet, "quiet", "q", false, "suppress output information when pulling images")
	f.UintVar(&retry, "retry", 3, "number of times to retry in case of failure when performing pull")
	f.StringVar(&retryDelay, "retry-delay", "", "delay between retries in case of pull failures (default: 1s, doubling)")
	f.StringVar(&policy, "policy", service.PullAlways, `pull image policy ("always"|"missing"|"never"|"newer")`)
	f.StringArrayVar(&decryptionKeys, "decryption-key", nil, "key needed to decrypt the image (refused: berth cannot decrypt images)")
	// docker's content trust: a no-op kept for scripts, as podman does.
	f.BoolVar(&disableContentTrust, "disable-content-trust", false, "this is a Docker specific option and is a NOOP")
	_ = f.MarkHidden("disable-content-trust")
	return needsFull(cmd)
}
