package service

import (
	"fmt"
	"strings"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/spec"
)

// resolveLinks turns docker's --link NAME[:ALIAS] values into the
// "ID:ALIAS" form the engine records: the linked container must exist
// (docker: "could not get container for NAME").
func resolveLinks(rt *engine.Runtime, s *spec.ContainerSpec) error {
	for i, l := range s.Links {
		name, alias, _ := strings.Cut(strings.TrimPrefix(l, "/"), ":")
		alias = strings.TrimPrefix(alias, "/")
		if j := strings.LastIndex(alias, "/"); j >= 0 {
			alias = alias[j+1:] // the API's "/ctr/alias" form
		}
		if alias == "" {
			alias = name
		}
		if name == "" {
			return fmt.Errorf("invalid link %q: %w", l, define.ErrInvalidArg)
		}
		if err := spec.ValidateHostname(alias); err != nil {
			return fmt.Errorf("invalid link %q: %w", l, err)
		}
		c, err := rt.LookupContainer(name)
		if err != nil {
			return fmt.Errorf("could not get container for %s: %w", name, err)
		}
		s.Links[i] = c.ID() + ":" + alias
	}
	return nil
}
