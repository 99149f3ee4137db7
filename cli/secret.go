package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// newSecretCommand is `secret`: podman's secrets with the file driver,
// stored where podman keeps them (GRAPHROOT/secrets).
func newSecretCommand(d *Deps) *cobra.Command {
	c := &cobra.Command{Use: "secret", Short: "Manage secrets", RunE: subcommandRequired}
	c.AddCommand(newSecretCreateCommand(d), newSecretLsCommand(d), newSecretInspectCommand(d),
		newSecretRmCommand(d), newSecretExistsCommand(d))
	return c
}

func newSecretCreateCommand(d *Deps) *cobra.Command {
	var o service.SecretCreateOptions
	var env bool
	var labels []string
	var driverOpts map[string]string
	cmd := &cobra.Command{
		Use:   "create [options] NAME FILE|-",
		Short: "Create a new secret",
		Long:  "Create a secret. Input can be a path to a file or \"-\" (read from stdin). Default driver is file (unencrypted).",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := service.CheckSecretName(args[0]); err != nil {
				return err
			}
			if err := service.CheckSecretDriver(o.Driver); err != nil {
				return err
			}
			o.DriverOptions = driverOpts
			if len(labels) > 0 {
				o.Labels = map[string]string{}
				for _, l := range labels {
					k, v, _ := strings.Cut(l, "=")
					if k == "" {
						return usageError("invalid label %q: the key is empty", l)
					}
					o.Labels[k] = v
				}
			}
			data, err := secretData(cmd, args[1], env)
			if err != nil {
				return err
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			id, err := service.SecretCreate(rt, args[0], data, o)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), id)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Driver, "driver", "d", service.SecretDriverFile, "specify secret driver")
	f.StringToStringVarP(&driverOpts, "driver-opts", "o", nil, "specify driver specific options")
	f.BoolVar(&env, "env", false, "read secret data from environment variable")
	f.StringArrayVarP(&labels, "label", "l", nil, "specify labels on the secret")
	f.BoolVar(&o.Replace, "replace", false, "if a secret with the same name exists, replace it")
	return cmd
}

// secretData reads the data of `secret create`: an environment variable
// (--env), stdin ("-") or a file, at most service.SecretMaxSize bytes.
func secretData(cmd *cobra.Command, src string, env bool) ([]byte, error) {
	var r io.Reader
	switch {
	case env:
		v, ok := os.LookupEnv(src)
		if !ok || v == "" {
			return nil, usageError("cannot create store secret data: environment variable %s is not set", src)
		}
		return []byte(v), nil
	case src == "-" || src == "/dev/stdin":
		if f, ok := cmd.InOrStdin().(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				return nil, usageError("if `-` is used, data must be passed into stdin")
			}
		}
		r = cmd.InOrStdin()
	default:
		f, err := os.Open(src)
		if err != nil {
			return nil, usageError("%v", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, service.SecretMaxSize))
	if err != nil {
		return nil, err
	}
	return data, nil
}

func newSecretExistsCommand(d *Deps) *cobra.Command {
	return &cobra.Command{
		Use:   "exists SECRET",
		Short: "Check if a secret exists in local storage",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			ok, err := service.SecretExists(rt, args[0])
			if err != nil {
				return err
			}
			if !ok {
				return &ExitError{Code: 1}
			}
			return nil
		},
	}
}

func newSecretRmCommand(d *Deps) *cobra.Command {
	var all, ignore bool
	cmd := &cobra.Command{
		Use:   "rm [options] SECRET [SECRET...]",
		Short: "Remove one or more secrets",
		RunE: func(cmd *cobra.Command, args []string) error {
			if all == (len(args) > 0) {
				if all {
					return usageError("when using the --all switch, you may not pass any secret names or IDs")
				}
				return usageError("requires at least 1 arg(s), only received 0")
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			if all {
				list, err := service.SecretList(rt, nil)
				if err != nil {
					return err
				}
				for _, s := range list {
					args = append(args, s.ID)
				}
			}
			var errs []error
			for _, name := range args {
				id, err := service.SecretRemove(rt, name)
				if err != nil {
					if ignore && isNotFound(err) {
						continue
					}
					errs = append(errs, err)
					continue
				}
				fmt.Fprintln(cmd.OutOrStdout(), id)
			}
			for i, e := range errs {
				if i == len(errs)-1 {
					return e
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "Error: %v\n", e)
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "remove all secrets")
	cmd.Flags().BoolVarP(&ignore, "ignore", "i", false, "ignore errors when a specified secret is missing")
	return cmd
}
