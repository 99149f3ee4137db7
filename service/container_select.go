package service

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
)

// Selection is how a batch verb (stop, restart, kill, start, pause,
// unpause, rm...) picks its containers besides names: podman's --all,
// --latest, --filter and --cidfile. The CLI and the API fill it alike, so
// the filters mean what they mean in ps.
type Selection struct {
	// All selects every container the verb applies to.
	All bool
	// Latest selects the most recently created container.
	Latest bool
	// Filters are ps filters (key=value); with All or alone they narrow
	// every container down.
	Filters []string
	// CIDFiles are files holding a container ID each (--cidfile).
	CIDFiles []string
	// Ignore drops names and cidfiles that name no container.
	Ignore bool
}

// Validate refuses the combinations podman refuses, with its words.
func (s Selection) Validate(names []string) error {
	cid := len(s.CIDFiles) > 0
	switch {
	case (s.All && s.Latest) || (cid && (s.All || s.Latest)):
		if cid {
			return fmt.Errorf("--all, --latest, and --cidfile cannot be used together: %w", define.ErrInvalidArg)
		}
		return fmt.Errorf("--all and --latest cannot be used together: %w", define.ErrInvalidArg)
	case len(s.Filters) > 0 && len(names) > 0:
		return fmt.Errorf("--filter takes no arguments: %w", define.ErrInvalidArg)
	case s.All && len(names) > 0:
		return fmt.Errorf("no arguments are needed with --all: %w", define.ErrInvalidArg)
	case (s.Latest || cid) && len(names) > 0:
		return fmt.Errorf("no arguments are needed with --latest or --cidfile: %w", define.ErrInvalidArg)
	case !s.All && !s.Latest && !cid && len(s.Filters) == 0 && len(names) == 0:
		return fmt.Errorf("you must provide at least one name or id: %w", define.ErrInvalidArg)
	}
	return nil
}

// ReadCIDFiles returns the IDs the files hold; with ignore, a file that
// does not exist is skipped (podman 5).
func ReadCIDFiles(files []string, ignore bool) ([]string, error) {
	var ids []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			if ignore && errors.Is(err, os.ErrNotExist) {
				continue
			}
			return nil, fmt.Errorf("reading CIDFile: %w", err)
		}
		if id := strings.TrimSpace(string(b)); id != "" {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// selectContainers resolves names and the selection into containers, in
// the order given; names that match nothing become reports with an error
// (dropped with Ignore). keep narrows All (and Filters) to the containers
// the verb applies to (stop -a: the running ones).
func selectContainers(rt *engine.Runtime, names []string, s Selection, keep func(define.ContainerStatus) bool) ([]*engine.Container, []Report, []string, error) {
	if err := s.Validate(names); err != nil {
		return nil, nil, nil, err
	}
	if len(s.CIDFiles) > 0 {
		ids, err := ReadCIDFiles(s.CIDFiles, s.Ignore)
		if err != nil {
			return nil, nil, nil, err
		}
		names = ids
	}
	var ctrs []*engine.Container
	var bad []Report
	switch {
	case s.Latest:
		c, _, err := Resolve(rt, nil, false, true)
		if err != nil {
			return nil, nil, nil, err
		}
		ctrs = c
	case s.All || len(s.Filters) > 0:
		rows, err := List(rt, ListOptions{All: true, Filters: s.Filters})
		if err != nil {
			return nil, nil, nil, err
		}
		// List is newest first; verbs act in creation order.
		for i := len(rows) - 1; i >= 0; i-- {
			if s.All && keep != nil && !keep(rows[i].status) {
				continue
			}
			c, err := rt.LookupContainer(rows[i].ID)
			if isGone(err) {
				continue
			}
			if err != nil {
				return nil, nil, nil, err
			}
			ctrs = append(ctrs, c)
		}
	default:
		for _, n := range names {
			c, err := rt.LookupContainer(n)
			if err != nil {
				if !(s.Ignore && errors.Is(err, define.ErrNoSuchCtr)) {
					bad = append(bad, Report{RawInput: n, Err: err})
				}
				continue
			}
			ctrs = append(ctrs, c)
		}
	}
	return ctrs, bad, names, nil
}
