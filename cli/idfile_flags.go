package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// idFileFlag adds a flag naming files that hold IDs (stop/rm --cidfile,
// pod start/stop/rm --pod-id-file) to cmd: the IDs join the arguments.
// This is how systemd units name the container or pod they made.
type idFileFlag struct {
	files  []string
	ignore bool
}

// addIDFileFlag registers the flag (and, with addIgnore, an --ignore
// flag) and wraps cmd's RunE. With --ignore a missing file, or an ID that
// exists says no (a unit's stop after the container is gone), is skipped
// instead of failing. With removeFiles the files are deleted once the
// verb succeeded, as rm does so that the next run can write them again.
func addIDFileFlag(cmd *cobra.Command, name, usage string, addIgnore bool, ignored func() bool, exists func(cmd *cobra.Command, id string) bool, removeFiles bool) {
	f := &idFileFlag{}
	cmd.Flags().StringArrayVar(&f.files, name, nil, usage)
	if addIgnore {
		cmd.Flags().BoolVarP(&f.ignore, "ignore", "i", false, "ignore errors when a specified container or pod is missing")
		ignored = func() bool { return f.ignore }
	}
	run := cmd.RunE
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ign := ignored != nil && ignored()
		if len(f.files) == 0 && (!ign || exists == nil || len(args) == 0) {
			return run(cmd, args)
		}
		var ids []string
		for _, p := range f.files {
			b, err := os.ReadFile(p)
			if err != nil {
				if ign && errors.Is(err, os.ErrNotExist) {
					continue
				}
				return fmt.Errorf("reading %s %s: %w", strings.TrimPrefix(name, "--"), p, err)
			}
			ids = append(ids, strings.TrimSpace(string(b)))
		}
		var keep []string
		for _, id := range append(args, ids...) {
			if ign && exists != nil && !exists(cmd, id) {
				continue
			}
			keep = append(keep, id)
		}
		args = keep
		if len(args) == 0 {
			return nil
		}
		if err := run(cmd, args); err != nil {
			return err
		}
		if removeFiles {
			for _, p := range f.files {
				_ = os.Remove(p)
			}
		}
		return nil
	}
}

// podExists reports whether a pod is known (true when the engine cannot
// say, so that the verb reports the real error).
func podExists(d *Deps) func(*cobra.Command, string) bool {
	return func(cmd *cobra.Command, id string) bool {
		rt, err := d.Runtime(cmd.Context())
		if err != nil {
			return true
		}
		_, err = rt.LookupPod(id)
		return err == nil
	}
}
