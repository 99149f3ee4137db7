package cli

import (
	"os"
	"strings"
	"time"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// pushExtraFlags are push's podman and docker flags beyond the transfer
// basics: retries, compression control, signing and the refused
// encryption.
type pushExtraFlags struct {
	retry                   uint
	retryDelay              string
	compress, forceCompress bool
	signBy, sigstoreKey     string
	signBySigstore          string
	passphraseFile          string
	encryptionKeys          []string
	encryptLayers           []int
	disableContentTrust     bool
}

func bindPushExtraFlags(f *pflag.FlagSet, x *pushExtraFlags) {
	f.UintVar(&x.retry, "retry", 3, "number of times to retry in case of failure when performing push")
	f.StringVar(&x.retryDelay, "retry-delay", "", "delay between retries in case of push failures (default: 1s, doubling)")
	f.BoolVar(&x.compress, "compress", false, "compress tarball image layers when pushing to a directory using the 'dir' transport")
	f.BoolVar(&x.forceCompress, "force-compression", false, "use the specified compression algorithm even if the destination contains a differently-compressed variant already (default true with --compression-format)")
	f.StringVar(&x.signBy, "sign-by", "", "sign the image using a GPG key with the specified `FINGERPRINT` (not supported by berth)")
	f.StringVar(&x.sigstoreKey, "sign-by-sigstore-private-key", "", "sign the image using a sigstore private key at `PATH`")
	f.StringVar(&x.signBySigstore, "sign-by-sigstore", "", "sign the image using a sigstore parameter file at `PATH` (not supported by berth)")
	f.StringVar(&x.passphraseFile, "sign-passphrase-file", "", "read a passphrase for signing an image from `PATH`")
	f.StringArrayVar(&x.encryptionKeys, "encryption-key", nil, "key with the encryption protocol to use to encrypt the image (not supported by berth)")
	f.IntSliceVar(&x.encryptLayers, "encrypt-layer", nil, "layers to encrypt, 0-indexed layer indices (not supported by berth)")
	// docker's content trust (Notary v1): podman keeps the flag as a
	// no-op for scripts, so does berth.
	f.BoolVar(&x.disableContentTrust, "disable-content-trust", false, "this is a Docker specific option and is a NOOP")
	_ = f.MarkHidden("disable-content-trust")
}

// apply checks the flags and fills o; refused features fail here, before
// anything is copied.
func (x *pushExtraFlags) apply(cmd *cobra.Command, o *service.PushOptions) error {
	switch {
	case x.signBy != "":
		return usageError("--sign-by is not supported by berth: GPG signing is not available in this build; sign with --sign-by-sigstore-private-key")
	case x.signBySigstore != "":
		return usageError("--sign-by-sigstore is not supported by berth (Fulcio/Rekor keyless signing); sign with --sign-by-sigstore-private-key")
	case len(x.encryptionKeys) > 0 || cmd.Flags().Changed("encrypt-layer"):
		return usageError("--encryption-key and --encrypt-layer are not supported by berth: images cannot be encrypted")
	case x.passphraseFile != "" && x.sigstoreKey == "":
		return usageError("--sign-passphrase-file requires --sign-by-sigstore-private-key")
	}
	o.MaxRetries, o.RetryWarn = x.retry, cmd.ErrOrStderr()
	if x.retryDelay != "" {
		d, err := time.ParseDuration(x.retryDelay)
		if err != nil || d < 0 {
			return usageError("invalid --retry-delay %q: must be a duration such as 500ms or 2s", x.retryDelay)
		}
		o.RetryDelay = d
	}
	o.DirCompress = x.compress
	if cmd.Flags().Changed("force-compression") {
		o.ForceCompression = &x.forceCompress
	}
	if x.sigstoreKey != "" {
		if _, err := os.Stat(x.sigstoreKey); err != nil {
			return usageError("--sign-by-sigstore-private-key: %v", err)
		}
		o.SigstoreKeyFile = x.sigstoreKey
		if x.passphraseFile != "" {
			b, err := os.ReadFile(x.passphraseFile)
			if err != nil {
				return usageError("--sign-passphrase-file: %v", err)
			}
			// podman reads the first line, without its newline.
			o.SigstorePassphrase = []byte(strings.SplitN(string(b), "\n", 2)[0])
		}
	}
	return nil
}

// checkPushPlatform is docker's push --platform OS[/ARCH[/VARIANT]]: a
// berth image is a single-platform image, so the flag selects it when it
// matches and fails otherwise (docker: no such platform in the image).
func checkPushPlatform(img imagePlatform, platform string) error {
	parts := strings.Split(platform, "/")
	if len(parts) > 3 || parts[0] == "" || (len(parts) > 1 && parts[1] == "") {
		return usageError("invalid platform %q: use OS[/ARCH[/VARIANT]]", platform)
	}
	have := []string{img.os, img.arch, img.variant}
	for i, p := range parts {
		if p != have[i] {
			got := img.os + "/" + img.arch
			if img.variant != "" {
				got += "/" + img.variant
			}
			return usageError("image %s is %s: no image for platform %s to push", img.name, got, platform)
		}
	}
	return nil
}

type imagePlatform struct{ name, os, arch, variant string }
