package cli

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newLoginCommand(d *Deps) *cobra.Command {
	var (
		reg           registryFlags
		user, pass    string
		passwordStdin bool
		getLogin      bool
		verbose       bool
		compatAuth    string
		secret        string
	)
	cmd := &cobra.Command{
		Use:   "login [options] [REGISTRY]",
		Short: "Log in to a container registry",
		Long:  "Check the credentials against the registry and store them in the auth file.",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if compatAuth != "" && reg.authFile != "" {
				return usageError("options for paths to the credential file and to the Docker-compatible credential file can not be set simultaneously")
			}
			if secret != "" && (pass != "" || passwordStdin) {
				return usageError("--secret can not be used with --password options")
			}
			ro, err := reg.options(cmd)
			if err != nil {
				return err
			}
			if secret != "" {
				if pass, err = loginSecret(cmd, d, secret); err != nil {
					return err
				}
				if user == "" {
					user = secret
				}
			}
			arg := ""
			if len(args) == 1 {
				arg = args[0]
			}
			key, err := service.RegistryKey(arg, ro)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			ctx := cmd.Context()
			if getLogin {
				u, err := service.CurrentLogin(ctx, key, ro, false)
				if err != nil {
					return err
				}
				if u == "" {
					return fmt.Errorf("not logged into %s: %w", key, service.ErrNotLoggedIn)
				}
				fmt.Fprintln(out, u)
				return nil
			}
			if passwordStdin && pass != "" {
				return usageError("can't specify both --password-stdin and --password")
			}
			if passwordStdin && user == "" {
				return usageError("must provide --username with --password-stdin")
			}
			if user == "" && pass == "" && !passwordStdin {
				// Like podman: stored credentials that still work are
				// enough.
				if u, err := service.CurrentLogin(ctx, key, ro, true); err == nil && u != "" {
					fmt.Fprintf(out, "Authenticating with existing credentials for %s\nExisting credentials are valid. Already logged in to %s\n", key, key)
					return nil
				}
				if user, err = readLine(cmd, "Username: "); err != nil {
					return err
				}
			}
			switch {
			case passwordStdin:
				b, err := io.ReadAll(cmd.InOrStdin())
				if err != nil {
					return fmt.Errorf("reading password from stdin: %w", err)
				}
				pass = strings.TrimRight(string(b), "\r\n")
			case pass == "":
				if pass, err = readPassword(cmd, "Password: "); err != nil {
					return err
				}
			}
			if user == "" {
				return usageError("username is empty")
			}
			where, err := service.Login(ctx, key, service.LoginOptions{RegistryOptions: ro, Username: user, Password: pass, CompatAuthFile: compatAuth})
			if err != nil {
				return err
			}
			if verbose {
				fmt.Fprintf(out, "Used: %s\n", where)
			}
			fmt.Fprintln(out, "Login Succeeded!")
			return nil
		},
	}
	f := cmd.Flags()
	bindRegistryFlags(f, &reg, false)
	f.StringVarP(&user, "username", "u", "", "username for the registry")
	f.StringVarP(&pass, "password", "p", "", "password for the registry")
	f.BoolVar(&passwordStdin, "password-stdin", false, "take the password from stdin")
	f.BoolVar(&getLogin, "get-login", false, "return the current login user for the registry")
	f.BoolVarP(&verbose, "verbose", "v", false, "write more detailed information to stdout")
	f.StringVar(&compatAuth, "compat-auth-file", "", "path of a Docker-compatible config file to update instead")
	f.StringVar(&secret, "secret", "", "retrieve the password from the berth secret `NAME` (username defaults to NAME)")
	return needsFull(cmd)
}

// readLine prompts for one line on a terminal.
func readLine(cmd *cobra.Command, prompt string) (string, error) {
	if !stdinIsTerminal(cmd) {
		return "", usageError("cannot perform an interactive login from a non TTY device: use --username and --password-stdin")
	}
	fmt.Fprint(cmd.ErrOrStderr(), prompt)
	line, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("reading %s: %w", strings.TrimSuffix(prompt, ": "), err)
	}
	return strings.TrimSpace(line), nil
}

func newLogoutCommand(d *Deps) *cobra.Command {
	var (
		authFile string
		all      bool
	)
	cmd := &cobra.Command{
		Use:   "logout [options] [REGISTRY]",
		Short: "Log out of a container registry",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ro := service.RegistryOptions{AuthFile: firstNonEmpty(authFile, envAuthFile())}
			out := cmd.OutOrStdout()
			if all {
				if len(args) > 0 {
					return usageError("--all takes no registry")
				}
				if err := service.Logout("", ro); err != nil {
					return err
				}
				fmt.Fprintln(out, "Removed login credentials for all registries")
				return nil
			}
			arg := ""
			if len(args) == 1 {
				arg = args[0]
			}
			key, err := service.RegistryKey(arg, ro)
			if err != nil {
				return err
			}
			if err := service.Logout(key, ro); err != nil {
				return err
			}
			fmt.Fprintf(out, "Removed login credentials for %s\n", key)
			return nil
		},
	}
	cmd.Flags().StringVar(&authFile, "authfile", "", "path of the authentication file (default ${XDG_RUNTIME_DIR}/containers/auth.json; $REGISTRY_AUTH_FILE)")
	cmd.Flags().BoolVarP(&all, "all", "a", false, "remove the cached credentials for all registries in the auth file")
	return needsFull(cmd)
}

// loginSecret is login --secret: the password is the secret's data.
func loginSecret(cmd *cobra.Command, d *Deps, name string) (string, error) {
	rt, err := d.Runtime(cmd.Context())
	if err != nil {
		return "", err
	}
	info, err := service.SecretInspect(rt, name, true)
	if err != nil {
		return "", err
	}
	return strings.TrimRight(info.SecretData, "\r\n"), nil
}
