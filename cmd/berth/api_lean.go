//go:build berth_lean

package main

import "github.com/berth-dev/berth/cli"

// apiOptions is empty in the lean build: it hands `system service` to
// berth-full, leaving the API server's start-up cost out of every command.
func apiOptions() []cli.Option { return nil }
