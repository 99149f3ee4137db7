package cli

import "github.com/spf13/cobra"

// resolveDetachKeys resolves --detach-keys: the flag, else containers.conf's
// engine.detach_keys, else ctrl-p,ctrl-q. An explicit empty flag disables
// detaching, as in podman and docker.
func resolveDetachKeys(cmd *cobra.Command, flag string, d *Deps) ([]byte, error) {
	if cmd.Flags().Changed("detach-keys") && flag == "" {
		return nil, nil
	}
	return detachKeySequence(firstNonEmpty(flag, d.conf.Engine.DetachKeys))
}
