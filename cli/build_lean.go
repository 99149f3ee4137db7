//go:build berth_lean

package cli

// leanBuild: this CLI hands image transfers to berth-full (handoff.go).
const leanBuild = true
