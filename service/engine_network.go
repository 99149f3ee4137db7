package service

import (
	"context"

	"github.com/berth-dev/berth/engine/define"
)

// NetworkList lists networks.
func (e *LocalEngine) NetworkList(_ context.Context, filters []NetworkFilter) ([]define.Network, error) {
	return NetworkList(e.rt, filters)
}

// NetworkCreate creates a network.
func (e *LocalEngine) NetworkCreate(_ context.Context, o NetworkCreateOptions) (define.Network, error) {
	return NetworkCreate(e.rt, o)
}

// NetworkRemove removes networks.
func (e *LocalEngine) NetworkRemove(ctx context.Context, names []string, opts RemoveNetworkOptions) []Report {
	return NetworkRemove(ctx, e.rt, names, opts)
}
