package cli

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// newImageTrustCommand is podman's `image trust show|set`: it reads and
// edits the policy.json that pulls enforce (--policypath, else
// /etc/containers/policy.json; pulls take the same file with
// --signature-policy).
func newImageTrustCommand() *cobra.Command {
	c := &cobra.Command{Use: "trust", Short: "Manage container image trust policy", RunE: subcommandRequired}
	c.AddCommand(newTrustShowCommand(), newTrustSetCommand())
	return c
}

func newTrustShowCommand() *cobra.Command {
	var policyPath string
	var asJSON, raw bool
	cmd := &cobra.Command{
		Use:   "show [options] [REGISTRY]",
		Short: "Display trust policy for the system",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("registrypath") {
				return usageError("--registrypath is not supported: berth does not read registries.d signature stores")
			}
			path := service.PolicyPath(policyPath)
			if raw {
				b, err := os.ReadFile(path)
				if err != nil {
					return fmt.Errorf("could not read trust policies: %w", err)
				}
				_, err = cmd.OutOrStdout().Write(b)
				return err
			}
			entries, err := service.TrustShow(path)
			if err != nil {
				return err
			}
			if len(args) == 1 {
				var keep []service.TrustEntry
				for _, e := range entries {
					if e.RepoName == args[0] || e.Name == args[0] {
						keep = append(keep, e)
					}
				}
				entries = keep
			}
			if asJSON {
				if entries == nil {
					entries = []service.TrustEntry{}
				}
				return writeJSON(cmd.OutOrStdout(), entries)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 12, 2, 2, ' ', 0)
			for _, e := range entries {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", e.Transport, e.Name, e.Type, e.GPGId, e.SignatureStore)
			}
			return w.Flush()
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&asJSON, "json", "j", false, "output as json")
	f.BoolVar(&raw, "raw", false, "output raw policy file")
	f.BoolP("noheading", "n", false, "do not print column headings (none are printed)")
	f.StringVar(&policyPath, "policypath", "", "policy.json to read (default /etc/containers/policy.json)")
	f.String("registrypath", "", "registries.d directory (not supported: refused)")
	return cmd
}

func newTrustSetCommand() *cobra.Command {
	var policyPath, trustType string
	var keys []string
	cmd := &cobra.Command{
		Use:   "set [options] REGISTRY",
		Short: "Set default trust policy or a new trust policy for a registry",
		Long: "Set the trust policy of REGISTRY (a registry, repository or *.domain) or of \"default\".\n" +
			"--type is one of accept, reject, signedBy (GPG keys) or sigstoreSigned (sigstore public keys).",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := service.TrustSet(service.PolicyPath(policyPath), args[0], trustType, keys); err != nil {
				if strings.HasPrefix(err.Error(), "invalid choice") || strings.Contains(err.Error(), "public key") ||
					strings.HasPrefix(err.Error(), "invalid registry") {
					return usageError("%v", err)
				}
				return err
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&trustType, "type", "t", "signedBy", "trust type, accept values: signedBy(default), accept, reject, sigstoreSigned")
	f.StringArrayVarP(&keys, "pubkeysfile", "f", nil, "path of installed public key(s) to trust for TARGET")
	f.StringVar(&policyPath, "policypath", "", "policy.json to write (default /etc/containers/policy.json)")
	return cmd
}
