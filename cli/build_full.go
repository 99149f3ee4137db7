//go:build !berth_lean

package cli

// leanBuild: this is the complete CLI; it never hands off (handoff.go).
const leanBuild = false
