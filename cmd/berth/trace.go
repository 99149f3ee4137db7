//go:build berth_trace

package main

import (
	"os"
	"runtime/trace"
)

// startTrace writes a Go execution trace of this one command to
// $BERTH_TRACE, for bench/: it shows where wall time goes, waits on
// children included. Only a binary built with the tag berth_trace reads
// the variable: a shipped root binary must not create files wherever its
// environment says.
func startTrace() (stop func()) {
	p := os.Getenv("BERTH_TRACE")
	if p == "" {
		return func() {}
	}
	f, err := os.Create(p)
	if err != nil || trace.Start(f) != nil {
		return func() {}
	}
	return func() {
		trace.Stop()
		f.Close()
	}
}
