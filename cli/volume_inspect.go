package cli

import (
	"fmt"

	"github.com/berth-dev/berth/cli/format"
	"github.com/spf13/cobra"
)

func newVolumeInspectCommand(d *Deps) *cobra.Command {
	var fmtStr string
	var all bool
	cmd := &cobra.Command{
		Use:   "inspect [options] VOLUME [VOLUME...]",
		Short: "Display detailed information on one or more volumes",
		RunE: func(cmd *cobra.Command, args []string) error {
			if all == (len(args) > 0) {
				return usageError("provide one or more volume names or use --all")
			}
			e, err := d.Engine(cmd.Context())
			if err != nil {
				return err
			}
			vols, err := e.VolumeInspect(cmd.Context(), args, all)
			items := make([]any, 0, len(vols))
			for _, v := range vols {
				items = append(items, v)
			}
			out := cmd.OutOrStdout()
			if fmtStr == "" || format.IsJSON(fmtStr) {
				if ferr := format.JSON(out, items); ferr != nil {
					return ferr
				}
			} else if ferr := format.Execute(out, fmtStr, items); ferr != nil {
				return ferr
			}
			return reportAll(cmd, err)
		},
	}
	cmd.Flags().StringVarP(&fmtStr, "format", "f", "", "format volume output using JSON or a Go template")
	cmd.Flags().BoolVarP(&all, "all", "a", false, "inspect all volumes")
	return cmd
}

// reportAll prints every error joined in err but the last on stderr and
// returns the last, which the caller's exit code is made from.
func reportAll(cmd *cobra.Command, err error) error {
	errs := unjoin(err)
	if len(errs) < 2 {
		return err
	}
	for _, e := range errs[:len(errs)-1] {
		fmt.Fprintf(cmd.ErrOrStderr(), "Error: %v\n", e)
	}
	return errs[len(errs)-1]
}

// unjoin lists the errors errors.Join put together (err itself if it is
// not a join, nothing for nil).
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	if err == nil {
		return nil
	}
	return []error{err}
}
