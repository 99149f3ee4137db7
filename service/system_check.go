package service

import (
	"context"

	"github.com/berth-dev/berth/engine"
)

// SystemCheck checks (and with Repair repairs) storage and berth's
// database against it; see engine.Runtime.SystemCheck.
func SystemCheck(ctx context.Context, rt *engine.Runtime, opts engine.CheckOptions) (*engine.CheckReport, error) {
	return rt.SystemCheck(ctx, opts)
}
