package cli

import (
	"errors"

	"fmt"
	"github.com/berth-dev/berth/engine/define"
	"io"

	"github.com/berth-dev/berth/internal/errdefs"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func unknownSubcommand(cmd *cobra.Command, name string) error {
	return fmt.Errorf("unrecognized command `%s %s`\nTry '%s --help' for more information", cmd.CommandPath(), name, cmd.CommandPath())
}

// printReports prints what the user typed for each success (as podman
// does) and each error on stderr; it returns an error when any failed so
// the exit code is 125 (or the category's code for the last error).
func printReports(out, errOut io.Writer, reports []service.Report) error {
	var last error
	for _, r := range reports {
		if r.Err != nil {
			if last != nil {
				fmt.Fprintf(errOut, "Error: %v\n", last)
			}
			last = r.Err
			continue
		}
		fmt.Fprintln(out, r.RawInput)
	}
	return last
}

// usageError is a bad command line (wrong number of arguments...).
func usageError(format string, args ...any) error {
	return errdefs.New(errdefs.ErrInvalidArgument, fmt.Sprintf(format, args...))
}

// removalExitCode wraps the last error of rm/rmi with podman's exit
// status: 1 when every failure was a missing object, 2 when one was in
// use (running container, image used by a container), else 125.
func removalExitCode(last error, errs []error) error {
	if last == nil {
		return nil
	}
	code := 1
	for _, e := range errs {
		switch {
		case errors.Is(e, define.ErrCtrExists):
			return last // has dependents: podman's 125
		case errors.Is(e, define.ErrCtrStateInvalid), errors.Is(e, define.ErrImageInUse), errdefs.IsConflict(e):
			code = 2
		case errdefs.IsNotFound(e):
		default:
			return last
		}
	}
	return &codedError{error: last, code: code}
}
