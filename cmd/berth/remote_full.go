//go:build !berth_lean

package main

import (
	"context"

	"github.com/berth-dev/berth/cli"
	"github.com/berth-dev/berth/remote"
	"github.com/berth-dev/berth/service"
)

// remoteOptions wires the libpod API client into --remote.
func remoteOptions() []cli.Option {
	return []cli.Option{cli.WithRemote(func(ctx context.Context, uri, identity string) (service.Engine, error) {
		return remote.New(ctx, uri, identity)
	})}
}
