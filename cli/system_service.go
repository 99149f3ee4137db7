package cli

import (
	"errors"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// defaultServiceURI is root's socket, where docker clients are pointed.
const defaultServiceURI = "unix:///run/berth/berth.sock"

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
			if d.serveAPI == nil {
				return errors.New("this build of berth has no API server")
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return d.serveAPI(ctx, service.NewBackend(rt, Version), uri, time.Duration(timeout)*time.Second)
		},
	}
	cmd.Flags().Int64VarP(&timeout, "time", "t", 5, "seconds without a request before the service exits (0: never)")
	return needsFull(cmd)
}
