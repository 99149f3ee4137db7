package cli

import "github.com/spf13/cobra"

// addCommands wires every command explicitly: the top-level verbs, and
// the `container` and `image` groups that repeat them under podman's
// management-command names.
func addCommands(root *cobra.Command, d *Deps) {
	main := []*cobra.Command{
		newCreateCommand(d), newRunCommand(d), newStartCommand(d), newStopCommand(d),
		newKillCommand(d), newRestartCommand(d), newPauseCommand(d), newUnpauseCommand(d),
		newWaitCommand(d), newRmCommand(d), newRenameCommand(d), newInitCommand(d),
		newPsCommand(d), newInspectCommand(d, ""), newLogsCommand(d), newMountCommand(d),
		newUmountCommand(d), newExportCommand(d), newCommitCommand(d),
		newCpCommand(d), newTopCommand(d), newStatsCommand(d), newDiffCommand(d), newEventsCommand(d),
		newImagesCommand(d), newImportCommand(d), newLoadCommand(d), newSaveCommand(d),
		newTagCommand(d), newRmiCommand(d), newVersionCommand(d), newInfoCommand(d),
		newPortCommand(d),
	}
	main = append(main, imageVerbs(d)...)
	main = append(main, newAttachCommand(d), newExecCommand(d))
	for _, c := range main {
		c.GroupID = "main"
		root.AddCommand(c)
	}

	ctr := &cobra.Command{Use: "container", Short: "Manage containers", GroupID: "manage", RunE: subcommandRequired}
	ctr.AddCommand(newCreateCommand(d), newRunCommand(d), newStartCommand(d), newStopCommand(d),
		newKillCommand(d), newRestartCommand(d), newPauseCommand(d), newUnpauseCommand(d),
		newWaitCommand(d), newRmCommand(d), newRenameCommand(d), newInitCommand(d),
		withAliases(newPsCommand(d), "ls", "list"), newInspectCommand(d, "container"), newLogsCommand(d),
		newMountCommand(d), newUmountCommand(d), newExportCommand(d), newCommitCommand(d),
		newContainerExistsCommand(d), newCleanupCommand(d), newPruneCommand(d),
		newCpCommand(d), newTopCommand(d), newStatsCommand(d), newDiffCommand(d))
	img := &cobra.Command{Use: "image", Short: "Manage images", GroupID: "manage", RunE: subcommandRequired}
	img.AddCommand(withUse(newImagesCommand(d), "list", "ls"), newImportCommand(d), newLoadCommand(d),
		newSaveCommand(d), newTagCommand(d), withUse(newRmiCommand(d), "rm"), newInspectCommand(d, "image"),
		newImageExistsCommand(d))
	img.AddCommand(imageGroupVerbs(d)...)
	ctr.AddCommand(newPortCommand(d))
	ctr.AddCommand(newAttachCommand(d), newExecCommand(d))
	root.AddCommand(ctr, img, newNetworkCommand(d), newSystemCommand(d))
}

func subcommandRequired(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return cmd.Help()
	}
	return unknownSubcommand(cmd, args[0])
}

func withAliases(c *cobra.Command, aliases ...string) *cobra.Command {
	c.Aliases = append(c.Aliases, aliases...)
	return c
}

// withUse renames a command for its place in a group (images -> image ls).
func withUse(c *cobra.Command, name string, aliases ...string) *cobra.Command {
	rest := ""
	for i, r := range c.Use {
		if r == ' ' {
			rest = c.Use[i:]
			break
		}
	}
	c.Use = name + rest
	c.Aliases = aliases
	return c
}
