//go:build berth_lean

package image

// The lean build leaves net/http (and its start-up cost) out: an artifact
// add that must sniff a media type goes to the complete build, before
// anything is written.

func detectContentType([]byte) string { return "" }

func canDetectContentType() error { return ErrNeedsFull }
