package cli

import "github.com/spf13/cobra"

// imageVerbs are the top-level image and registry verbs of the images
// issue (pull, push, login...), kept apart from commands.go so that its
// list stays short.
func imageVerbs(d *Deps) []*cobra.Command {
	return []*cobra.Command{
		newPullCommand(d), newPushCommand(d), newLoginCommand(d), newLogoutCommand(d),
		newHistoryCommand(d), newUntagCommand(d), newManifestCommand(d),
	}
}

// imageGroupVerbs are the same verbs under `berth image`.
func imageGroupVerbs(d *Deps) []*cobra.Command {
	return []*cobra.Command{
		newPullCommand(d), newPushCommand(d), newHistoryCommand(d), newUntagCommand(d),
		newImagePruneCommand(d),
	}
}
