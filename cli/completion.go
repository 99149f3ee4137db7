package cli

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"
)

var completionShells = []string{"bash", "zsh", "fish", "powershell"}

// newCompletionCommand is podman's `completion`: cobra's generator for
// each shell, to stdout or -f FILE, with or without descriptions.
func newCompletionCommand(d *Deps) *cobra.Command {
	var file string
	var noDesc bool
	cmd := &cobra.Command{
		Use:   "completion [options] {" + strings.Join(completionShells, "|") + "}",
		Short: "Generate shell autocompletions",
		Long: `Generate shell autocompletions.
  Valid arguments are bash, zsh, fish and powershell.`,
		Example: `berth completion bash
  berth completion zsh -f _berth
  berth completion fish --no-desc`,
		ValidArgs: completionShells,
		Args:      cobra.MatchAll(cobra.ExactArgs(1), cobra.OnlyValidArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			w := cmd.OutOrStdout()
			if file != "" {
				f, err := os.Create(file)
				if err != nil {
					return err
				}
				defer f.Close()
				w = f
			}
			if err := genCompletion(cmd.Root(), args[0], w, !noDesc); err != nil {
				return err
			}
			_, err := fmt.Fprintf(w, "# This file is generated with %q; DO NOT EDIT!\n", cmd.CommandPath()+" "+args[0])
			return err
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "output the completion to file rather than stdout")
	cmd.Flags().BoolVar(&noDesc, "no-desc", false, "don't include descriptions in the completion output")
	return cmd
}

func genCompletion(root *cobra.Command, shell string, w io.Writer, desc bool) error {
	switch shell {
	case "bash":
		return root.GenBashCompletionV2(w, desc)
	case "zsh":
		if desc {
			return root.GenZshCompletion(w)
		}
		return root.GenZshCompletionNoDesc(w)
	case "fish":
		return root.GenFishCompletion(w, desc)
	default:
		if desc {
			return root.GenPowerShellCompletionWithDesc(w)
		}
		return root.GenPowerShellCompletion(w)
	}
}

// objectKind is what a command's arguments name.
type objectKind int

const (
	kindContainer objectKind = iota
	kindImage
	kindVolume
	kindNetwork
	kindPod
	kindArtifact
)

// completedArg says what a command's arguments name; first: only the
// first argument does (run IMAGE [COMMAND...]).
type completedArg struct {
	kind  objectKind
	first bool
}

// completedArgs maps command paths (below berth) to their completedArg.
func completedArgs() map[string]completedArg {
	m := map[string]completedArg{}
	add := func(kind objectKind, first bool, paths ...string) {
		for _, p := range paths {
			m[p] = completedArg{kind, first}
		}
	}
	ctrVerbs := []string{"start", "stop", "kill", "restart", "pause", "unpause", "wait", "rm", "inspect", "logs",
		"mount", "umount", "unmount", "export", "attach", "top", "stats", "diff", "port", "init", "update", "cleanup", "exists", "clone", "runlabel",
		"checkpoint", "restore"}
	for _, v := range ctrVerbs {
		add(kindContainer, false, v, "container "+v)
	}
	add(kindContainer, true, "exec", "container exec", "commit", "container commit", "rename", "container rename",
		"healthcheck run", "generate systemd", "generate kube")
	add(kindImage, false, "rmi", "image rm", "image inspect", "history", "image history", "untag", "image untag",
		"save", "image save", "image exists", "image tree", "image mount", "image unmount", "image diff")
	add(kindImage, true, "run", "container run", "create", "container create", "tag", "image tag", "push", "image push")
	add(kindArtifact, false, "artifact rm", "artifact inspect")
	add(kindArtifact, true, "artifact push", "artifact extract")
	add(kindVolume, false, "volume rm", "volume inspect", "volume exists", "volume mount", "volume unmount")
	add(kindVolume, true, "volume export", "volume import")
	add(kindNetwork, false, "network rm", "network inspect", "network exists", "network reload")
	add(kindNetwork, true, "network connect", "network disconnect", "network update")
	for _, v := range []string{"start", "stop", "kill", "restart", "pause", "unpause", "rm", "inspect", "exists", "top", "stats", "logs", "clone"} {
		add(kindPod, false, "pod "+v)
	}
	return m
}

// addCompletions gives the commands of completedArgs a completion of
// object names. It is wired only for cobra's hidden __complete command:
// the functions open the store, which no normal command line must pay
// for.
func addCompletions(root *cobra.Command, d *Deps) {
	table := completedArgs()
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		path := strings.TrimPrefix(c.CommandPath(), root.Name()+" ")
		spec, ok := table[path]
		if !ok || c.ValidArgsFunction != nil {
			return
		}
		c.ValidArgsFunction = func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			if spec.first && len(args) > 0 {
				return nil, cobra.ShellCompDirectiveDefault
			}
			return d.objectNames(cmd, spec.kind, toComplete), cobra.ShellCompDirectiveNoFileComp
		}
	}
	walk(root)
}

// objectNames lists the names of kind starting with prefix; any failure
// (no store yet) completes nothing.
func (d *Deps) objectNames(cmd *cobra.Command, kind objectKind, prefix string) []string {
	if d.conf == nil {
		if err := d.setup(cmd); err != nil {
			return nil
		}
	}
	rt, err := d.Runtime(cmd.Context())
	if err != nil {
		return nil
	}
	var names []string
	switch kind {
	case kindContainer:
		ctrs, _ := rt.ListContainers()
		for _, c := range ctrs {
			names = append(names, c.Name())
		}
	case kindImage:
		if svc, err := rt.Images(); err == nil {
			imgs, _ := svc.ListWithoutSize()
			for _, img := range imgs {
				for _, n := range img.Names {
					names = append(names, n, strings.TrimPrefix(n, "localhost/"))
				}
			}
		}
	case kindVolume:
		vols, _ := rt.Volumes()
		for _, v := range vols {
			names = append(names, v.Name())
		}
	case kindNetwork:
		nets, _ := rt.Networks()
		for _, n := range nets {
			names = append(names, n.Name)
		}
	case kindPod:
		pods, _ := rt.Pods()
		for _, p := range pods {
			names = append(names, p.Name())
		}
	case kindArtifact:
		if svc, err := rt.Images(); err == nil {
			arts, _ := svc.ArtifactList()
			for _, a := range arts {
				names = append(names, a.Name)
			}
		}
	}
	out := names[:0]
	seen := map[string]bool{}
	for _, n := range names {
		if strings.HasPrefix(n, prefix) && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}
