//go:build !berth_lean

package main

import (
	"context"
	"time"

	"github.com/berth-dev/berth/api"
	"github.com/berth-dev/berth/cli"
	"github.com/berth-dev/berth/service"
)

// apiOptions wires the REST API into `system service`.
func apiOptions() []cli.Option {
	return []cli.Option{cli.WithAPIServer(func(ctx context.Context, b *service.Backend, uri string, idle time.Duration) error {
		return api.ServeURI(ctx, b, uri, idle)
	})}
}
