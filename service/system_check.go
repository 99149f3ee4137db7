package service

import (
	"context"

	"github.com/berth-dev/berth/engine"
)

// CheckOptions and CheckReport are the engine's, for the CLI.
type (
	CheckOptions = engine.CheckOptions
	CheckReport  = engine.CheckReport
)

// SystemCheck checks (and with Repair repairs) storage and berth's
// database against it; see engine.Runtime.SystemCheck.
func SystemCheck(ctx context.Context, rt *engine.Runtime, opts CheckOptions) (*CheckReport, error) {
	return rt.SystemCheck(ctx, opts)
}
