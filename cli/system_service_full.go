//go:build !berth_lean

package cli

import (
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/berth-dev/berth/api"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

const defaultServiceURI = api.DefaultURI

// serveAPI listens on uri and serves until idle or a SIGINT/SIGTERM.
func serveAPI(cmd *cobra.Command, d *Deps, uri string, idle time.Duration) error {
	rt, err := d.Runtime(cmd.Context())
	if err != nil {
		return err
	}
	l, err := api.Listen(uri)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return api.New(service.NewBackend(rt, Version)).Serve(ctx, l, idle)
}
