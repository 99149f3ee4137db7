package cli

import "github.com/spf13/cobra"

// newImageSignCommand is podman's `image sign`, which signs with GPG.
// This build (containers_image_openpgp) cannot make GPG signatures, so
// it refuses as push --sign-by does; sigstore signing is push's
// --sign-by-sigstore-private-key.
func newImageSignCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sign [options] IMAGE [IMAGE...]",
		Short: "Sign an image (not supported by berth: no GPG signing)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return usageError("--sign-by is not supported by berth: GPG signing is not available in this build; sign with push --sign-by-sigstore-private-key")
		},
	}
	f := cmd.Flags()
	f.String("sign-by", "", "name of the signing key (not supported by berth)")
	f.StringP("directory", "d", "", "define an alternate directory to store signatures")
	f.BoolP("all", "a", false, "sign all the manifests of the multi-architecture image")
	bindRegistryFlags(f, &registryFlags{}, false)
	return cmd
}
