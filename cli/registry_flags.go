package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"
)

// registryFlags are the flags of every command that talks to a registry
// (pull, push, login, run/create --pull, manifest push...).
type registryFlags struct {
	authFile, creds, certDir string
	tlsVerify                bool
	signaturePolicy          string
}

// bindRegistryFlags adds --authfile, --cert-dir, --tls-verify, and --creds
// and the hidden --signature-policy when withCreds.
func bindRegistryFlags(f *pflag.FlagSet, o *registryFlags, withCreds bool) {
	f.StringVar(&o.authFile, "authfile", "", "path of the authentication file (default ${XDG_RUNTIME_DIR}/containers/auth.json; $REGISTRY_AUTH_FILE)")
	f.StringVar(&o.certDir, "cert-dir", "", "use certificates at the specified path to access the registry")
	f.BoolVar(&o.tlsVerify, "tls-verify", true, "require HTTPS and verify certificates when contacting registries")
	if withCreds {
		f.StringVar(&o.creds, "creds", "", "use `[username[:password]]` for accessing the registry")
		f.StringVar(&o.signaturePolicy, "signature-policy", "", "path to a signature-policy file")
		_ = f.MarkHidden("signature-policy")
	}
}

// options turns the flags into engine options: --tls-verify counts only
// when given (otherwise registries.conf decides), --authfile defaults to
// $REGISTRY_AUTH_FILE, and --creds without a password asks for one on a
// terminal.
func (o *registryFlags) options(cmd *cobra.Command) (service.RegistryOptions, error) {
	ro := service.RegistryOptions{
		AuthFile:            firstNonEmpty(o.authFile, envAuthFile()),
		CertDir:             o.certDir,
		SignaturePolicyPath: o.signaturePolicy,
		Creds:               o.creds,
	}
	if f := cmd.Flags().Lookup("tls-verify"); f != nil && f.Changed {
		v := o.tlsVerify
		ro.TLSVerify = &v
	}
	if cmd.Flags().Changed("creds") {
		if o.creds == "" {
			return ro, usageError("--creds: the user name is empty")
		}
		if !strings.Contains(o.creds, ":") {
			pass, err := readPassword(cmd, "Password: ")
			if err != nil {
				return ro, err
			}
			ro.Creds = o.creds + ":" + pass
		}
	}
	if ro.CertDir != "" {
		if st, err := os.Stat(ro.CertDir); err != nil || !st.IsDir() {
			return ro, usageError("--cert-dir %s: not a directory", ro.CertDir)
		}
	}
	return ro, nil
}

// readPassword prompts on the terminal without echo; without a terminal
// there is nobody to ask.
func readPassword(cmd *cobra.Command, prompt string) (string, error) {
	if !stdinIsTerminal(cmd) {
		return "", usageError("cannot prompt for a password without a terminal: give it with --password-stdin, -p or user:password")
	}
	fmt.Fprint(cmd.ErrOrStderr(), prompt)
	b, err := term.ReadPassword(int(cmd.InOrStdin().(*os.File).Fd()))
	fmt.Fprintln(cmd.ErrOrStderr())
	if err != nil {
		return "", fmt.Errorf("reading password: %w", err)
	}
	return string(b), nil
}

// platformFlags are --platform, --os, --arch and --variant.
type platformFlags struct {
	platform, os, arch, variant string
}

func bindPlatformFlags(f *pflag.FlagSet, o *platformFlags) {
	f.StringVar(&o.platform, "platform", "", "specify the platform for selecting the image (`OS/ARCH[/VARIANT]`)")
	f.StringVar(&o.os, "os", "", "use `OS` instead of the running OS for choosing images")
	f.StringVar(&o.arch, "arch", "", "use `ARCH` instead of the architecture of the machine for choosing images")
	f.StringVar(&o.variant, "variant", "", "use `VARIANT` instead of the running architecture variant for choosing images")
}

// apply fills the platform of ro; --platform conflicts with the others.
func (o *platformFlags) apply(ro *service.RegistryOptions) error {
	ro.OS, ro.Arch, ro.Variant = o.os, o.arch, o.variant
	if o.platform == "" {
		return nil
	}
	if o.os != "" || o.arch != "" || o.variant != "" {
		return usageError("--platform option can not be specified with --arch, --os or --variant")
	}
	parts := strings.Split(o.platform, "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return usageError("invalid platform syntax for --platform=%q: use OS/ARCH[/VARIANT]", o.platform)
	}
	ro.OS, ro.Arch = parts[0], parts[1]
	if len(parts) == 3 {
		ro.Variant = parts[2]
	}
	return nil
}

// envAuthFile is $REGISTRY_AUTH_FILE, the default of --authfile.
func envAuthFile() string { return os.Getenv("REGISTRY_AUTH_FILE") }

func stdinIsTerminal(cmd *cobra.Command) bool {
	in, ok := cmd.InOrStdin().(*os.File)
	return ok && term.IsTerminal(int(in.Fd()))
}
