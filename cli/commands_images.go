package cli

import "github.com/spf13/cobra"

// imageGroupVerbs are the registry and image verbs under `berth image`.
func imageGroupVerbs(d *Deps) []*cobra.Command {
	return []*cobra.Command{
		newPullCommand(d), newPushCommand(d), newHistoryCommand(d), newUntagCommand(d),
		newImagePruneCommand(d), newBuildCommand(d), newImageMountCommand(d), newImageUnmountCommand(d),
		newImageDiffCommand(d), newSearchCommand(d), newImageTreeCommand(d),
		newImageTrustCommand(), newImageSignCommand(),
	}
}
