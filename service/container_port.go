package service

import (
	"github.com/berth-dev/berth/engine"
)

// PortOptions are the options of Port.
type PortOptions struct {
	// All lists every container's ports; Latest the newest container's.
	All, Latest bool
	// Filter ("80" or "80/udp") keeps only that container port.
	Filter string
}

// ContainerPorts are one container's published ports.
type ContainerPorts struct {
	ID    string
	Lines []PortLine
}

// Port lists the published ports of the named container (name is ignored
// with All or Latest). On an error it returns the containers done so far
// with it.
func Port(rt *engine.Runtime, name string, opts PortOptions) ([]ContainerPorts, error) {
	var ctrs []*engine.Container
	switch {
	case opts.All:
		all, _, err := Resolve(rt, nil, true, false)
		if err != nil {
			return nil, err
		}
		ctrs = all
	default:
		var names []string
		if !opts.Latest {
			names = []string{name}
		}
		found, bad, err := Resolve(rt, names, false, opts.Latest)
		if err != nil {
			return nil, err
		}
		if len(bad) > 0 {
			return nil, bad[0].Err
		}
		ctrs = found
	}
	var out []ContainerPorts
	for _, c := range ctrs {
		lines, err := Ports(c, opts.Filter)
		if err != nil {
			return out, err
		}
		out = append(out, ContainerPorts{ID: c.ID(), Lines: lines})
	}
	return out, nil
}
