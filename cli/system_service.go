package cli

import (
	"time"

	"github.com/spf13/cobra"
)

// newSystemServiceCommand is `system service [-t SECONDS] [URI]`: the
// Docker Engine API over the same service calls as the CLI. It needs
// berth-full (the lean build leaves the API server out).
func newSystemServiceCommand(d *Deps) *cobra.Command {
	var timeout int64
	cmd := &cobra.Command{
		Use:   "service [options] [URI]",
		Short: "Run an API service",
		Long: "Serve the Docker Engine API on URI (default " + defaultServiceURI + "; tcp://HOST:PORT only when given).\n" +
			"The service exits after --time seconds without requests; 0 never exits.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			uri := defaultServiceURI
			if len(args) == 1 {
				uri = args[0]
			}
			if timeout < 0 {
				return usageError("--time must not be negative")
			}
			return serveAPI(cmd, d, uri, time.Duration(timeout)*time.Second)
		},
	}
	cmd.Flags().Int64VarP(&timeout, "time", "t", 5, "seconds without a request before the service exits (0: never)")
	return needsFull(cmd)
}
