//go:build berth_lean

package cli

import (
	"time"

	"github.com/berth-dev/berth/engine/image"
	"github.com/spf13/cobra"
)

// The lean build hands `system service` to berth-full before it runs.
const defaultServiceURI = "unix:///run/berth/berth.sock"

func serveAPI(*cobra.Command, *Deps, string, time.Duration) error { return image.ErrNeedsFull }
