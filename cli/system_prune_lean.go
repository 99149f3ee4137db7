//go:build berth_lean

package cli

import "github.com/berth-dev/berth/service"

// pruneBuildCache: the lean CLI hands system prune to berth-full.
func pruneBuildCache(*service.Runtime) error { return nil }
