//go:build berth_lean

package main

import "github.com/berth-dev/berth/cli"

// remoteOptions is empty in the lean build: a remote command line is
// handed to berth-full, keeping the HTTP and SSH clients out of every
// local command's start-up.
func remoteOptions() []cli.Option { return nil }
