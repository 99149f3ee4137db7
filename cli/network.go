package cli

import (
	"strings"

	"github.com/spf13/cobra"
)

// newNetworkCommand is the `network` group.
func newNetworkCommand(d *Deps) *cobra.Command {
	cmd := &cobra.Command{Use: "network", Short: "Manage networks", RunE: subcommandRequired}
	cmd.AddCommand(newNetworkCreateCommand(d), newNetworkLsCommand(d), newNetworkInspectCommand(d),
		newNetworkRmCommand(d), newNetworkPruneCommand(d), newNetworkExistsCommand(d),
		newNetworkConnectCommand(d), newNetworkDisconnectCommand(d), newNetworkReloadCommand(d), newNetworkUpdateCommand(d))
	return cmd
}

// parseKeyValues turns repeated KEY=VALUE flags into a map (a bare KEY
// maps to "").
func parseKeyValues(flag string, vals []string) (map[string]string, error) {
	if len(vals) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, v := range vals {
		k, val, _ := strings.Cut(v, "=")
		if k == "" {
			return nil, usageError("invalid --%s %q: the key is empty", flag, v)
		}
		out[k] = val
	}
	return out, nil
}
