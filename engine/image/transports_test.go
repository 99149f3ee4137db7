//go:build !berth_lean

package image

import (
	"slices"
	"testing"

	"go.podman.io/image/v5/transports"
)

// TestTransportNames: the lean build's list of transports is the full
// build's, and namesTransport agrees with parseTransportRef.
func TestTransportNames(t *testing.T) {
	got := transports.ListNames()
	slices.Sort(got)
	if !slices.Equal(got, transportNames) {
		t.Errorf("transportNames = %v, image/v5 registers %v", transportNames, got)
	}
	s := &Service{}
	for _, name := range []string{
		"busybox", "busybox:1.36", "localhost:5000/x", "docker:latest", "docker://busybox",
		"oci:/tmp/layout", "oci-archive:/tmp/a.tar", "docker-archive:/tmp/a.tar", "dir:/tmp/d",
		"quay.io/a/b:c", "sif:/x.sif", "tarball:/x.tar",
	} {
		_, isTransport, _ := s.parseTransportRef(name)
		if namesTransport(name) != isTransport {
			t.Errorf("%q: namesTransport = %v, parseTransportRef says %v", name, !isTransport, isTransport)
		}
	}
}
