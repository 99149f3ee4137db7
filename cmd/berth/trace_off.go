//go:build !berth_trace

package main

// startTrace is a no-op: execution tracing is only built in with the tag
// berth_trace (see trace.go).
func startTrace() (stop func()) { return func() {} }
