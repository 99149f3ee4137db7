//go:build berth_lean

package cli

import "github.com/berth-dev/berth/service"

// fetchURL: the lean build leaves net/http (and its start-up cost) out; a
// kube YAML given by URL goes to the complete build before anything runs.
func fetchURL(string) ([]byte, error) { return nil, service.ErrNeedsFull }
