package cli

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

// verb is one top-level command: its name and aliases, its help group and
// its constructor.
type verb struct {
	names []string
	group string
	build func(*Deps) *cobra.Command
}

// verbs lists every top-level command, the `container`, `image`, `network`
// and `system` groups included.
func verbs() []verb {
	m := func(build func(*Deps) *cobra.Command, names ...string) verb {
		return verb{names: names, group: "main", build: build}
	}
	return []verb{
		m(newCreateCommand, "create"), m(newRunCommand, "run"), m(newStartCommand, "start"),
		m(newStopCommand, "stop"), m(newKillCommand, "kill"), m(newRestartCommand, "restart"),
		m(newPauseCommand, "pause"), m(newUnpauseCommand, "unpause"), m(newWaitCommand, "wait"),
		m(newRmCommand, "rm"), m(newRenameCommand, "rename"), m(newInitCommand, "init"),
		m(newPsCommand, "ps"), m(func(d *Deps) *cobra.Command { return newInspectCommand(d, "") }, "inspect"),
		m(newLogsCommand, "logs"), m(newMountCommand, "mount"), m(newUmountCommand, "umount", "unmount"),
		m(newExportCommand, "export"), m(newCommitCommand, "commit"), m(newCpCommand, "cp"),
		m(newTopCommand, "top"), m(newStatsCommand, "stats"), m(newDiffCommand, "diff"),
		m(newEventsCommand, "events"), m(newImagesCommand, "images"), m(newImportCommand, "import"),
		m(newLoadCommand, "load"), m(newSaveCommand, "save"), m(newTagCommand, "tag"),
		m(newRmiCommand, "rmi"), m(newVersionCommand, "version"), m(newInfoCommand, "info"),
		m(newPortCommand, "port"), m(newPullCommand, "pull"), m(newPushCommand, "push"),
		m(newLoginCommand, "login"), m(newLogoutCommand, "logout"), m(newHistoryCommand, "history"),
		m(newUntagCommand, "untag"), m(newManifestCommand, "manifest"), m(newAttachCommand, "attach"),
		m(newExecCommand, "exec"), m(newUpdateCommand, "update"), m(newBuildCommand, "build"),
		m(newSearchCommand, "search"),
		m(newUnshareCommand, "unshare"),
		{names: []string{"buildx"}, group: "manage", build: newBuildxCommand},
		{names: []string{"builder"}, group: "manage", build: newBuilderCommand},
		{names: []string{"container"}, group: "manage", build: newContainerCommand},
		{names: []string{"image"}, group: "manage", build: newImageCommand},
		{names: []string{"network"}, group: "manage", build: newNetworkCommand},
		{names: []string{"volume"}, group: "manage", build: newVolumeCommand},
		{names: []string{"pod"}, group: "manage", build: newPodCommand},
		{names: []string{"system"}, group: "manage", build: newSystemCommand},
		{names: []string{"healthcheck"}, group: "manage", build: newHealthcheckCommand},
		{names: []string{"generate"}, group: "manage", build: newGenerateCommand},
		{names: []string{"quadlet"}, group: "manage", build: newQuadletCommand},
		{names: []string{"auto-update"}, group: "main", build: newAutoUpdateCommand},
		{names: []string{"kube"}, group: "manage", build: newKubeCommand},
		{names: []string{"play"}, group: "manage", build: newPlayCommand},
		{names: []string{"secret"}, group: "manage", build: newSecretCommand},
		{names: []string{"artifact"}, group: "manage", build: newArtifactCommand},
		m(newCompletionCommand, "completion"),
	}
}

// addCommands wires the command tree. A CLI process runs one verb, so when
// args name a known top-level command only that one is built: building the
// other sixty with all their flags would cost more than a fast verb's own
// work. Help, completion and unknown commands get the whole tree.
func addCommands(root *cobra.Command, d *Deps, args []string) {
	all := verbs()
	if name := commandName(args); name != "" {
		for _, v := range all {
			if slices.Contains(v.names, name) {
				addVerb(root, d, v)
				return
			}
		}
	}
	for _, v := range all {
		addVerb(root, d, v)
	}
	if strings.HasPrefix(commandName(args), cobra.ShellCompRequestCmd) {
		addCompletions(root, d)
	}
}

func addVerb(root *cobra.Command, d *Deps, v verb) {
	c := v.build(d)
	c.GroupID = v.group
	root.AddCommand(c)
}

// valueFlags are the global flags that take their value as the next
// argument.
var valueFlags = []string{"--root", "--runroot", "--runtime", "--storage-driver", "--storage-opt",
	"--log-level", "-l", "--cgroup-manager", "--conmon", "--events-logfile-path", "--tmpdir", "--volumepath",
	"--network-config-dir", "--runtime-flag", "--hooks-dir", "--out", "--config"}

// boolFlags are the global flags that take no value.
var boolFlags = []string{"--transient-store", "--syslog", "--noout", "--debug", "-D"}

// commandName returns the first argument that is not a global flag or its
// value, or "" when the line asks for something else first (--help).
func commandName(args []string) string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case !strings.HasPrefix(a, "-"):
			return a
		case strings.Contains(a, "="):
		case slices.Contains(valueFlags, a), slices.Contains(remoteValueFlags, a):
			i++
		case slices.Contains(remoteBoolFlags, a), slices.Contains(boolFlags, a):
		default:
			return ""
		}
	}
	return ""
}

func newContainerCommand(d *Deps) *cobra.Command {
	ctr := &cobra.Command{Use: "container", Short: "Manage containers", RunE: subcommandRequired}
	ctr.AddCommand(newCreateCommand(d), newRunCommand(d), newStartCommand(d), newStopCommand(d),
		newKillCommand(d), newRestartCommand(d), newPauseCommand(d), newUnpauseCommand(d),
		newWaitCommand(d), newRmCommand(d), newRenameCommand(d), newInitCommand(d),
		withAliases(newPsCommand(d), "ls", "list"), newInspectCommand(d, "container"), newLogsCommand(d),
		newMountCommand(d), newUmountCommand(d), newExportCommand(d), newCommitCommand(d),
		newContainerExistsCommand(d), newCleanupCommand(d), newPruneCommand(d),
		newCpCommand(d), newTopCommand(d), newStatsCommand(d), newDiffCommand(d),
		newPortCommand(d), newAttachCommand(d), newExecCommand(d), newUpdateCommand(d),
		newContainerCloneCommand(d), newRunlabelCommand(d),
		newCheckpointCommand(d), newRestoreCommand(d))
	return ctr
}

func newImageCommand(d *Deps) *cobra.Command {
	img := &cobra.Command{Use: "image", Short: "Manage images", RunE: subcommandRequired}
	img.AddCommand(withUse(newImagesCommand(d), "list", "ls"), newImportCommand(d), newLoadCommand(d),
		newSaveCommand(d), newTagCommand(d), withUse(newRmiCommand(d), "rm"), newInspectCommand(d, "image"),
		newImageExistsCommand(d))
	img.AddCommand(imageGroupVerbs(d)...)
	return img
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
