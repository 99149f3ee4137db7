package service

import (
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/spec/generate"
)

// ParsePublish parses one -p value, for a client that sends the ports of
// a container to a remote service in its own shape.
func ParsePublish(v string) ([]define.PortMapping, error) { return generate.ParsePublish(v) }

// ParseEnvFile reads an --env-file, on the client's side in remote mode
// (podman-remote reads it there too).
func ParseEnvFile(name string) ([]string, error) { return generate.ParseEnvFile(name) }
