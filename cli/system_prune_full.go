//go:build !berth_lean

package cli

import "github.com/berth-dev/berth/service"

// pruneBuildCache is system prune --build's build cache removal.
func pruneBuildCache(rt *service.Runtime) error { return service.PruneBuildCache(rt) }
