// Package systemd writes systemd service units for berth containers and
// pods, in the shape `podman generate systemd` gives them.
//
// It is pure text generation over plain records (Container, Pod): the caller
// (service) looks the objects up and fills the records, so the package needs
// neither the engine nor the CLI and can be tested with golden files.
package systemd
