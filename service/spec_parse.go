package service

import "github.com/berth-dev/berth/spec/generate"

// ParseEnvFile reads an --env-file, on the client's side in remote mode
// (podman-remote reads it there too).
func ParseEnvFile(name string) ([]string, error) { return generate.ParseEnvFile(name) }
