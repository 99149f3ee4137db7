//go:build !berth_lean

package image

import "net/http"

// detectContentType is podman's media type of an artifact file added
// without --file-type: the WHATWG sniffing of its first 512 bytes.
func detectContentType(head []byte) string { return http.DetectContentType(head) }

// canDetectContentType: the complete build can.
func canDetectContentType() error { return nil }
