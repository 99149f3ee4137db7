package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/procps"
)

// Top lists the processes of every running member of the pod, the infra
// container included, as one table: a header row, then each member's
// processes in creation order (podman's `pod top`). A pod with nothing
// running gives the header alone, as podman's does.
func (p *Pod) Top(ctx context.Context, args []string) ([][]string, error) {
	descs, err := procps.Descriptors(args)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", err, define.ErrInvalidArg)
	}
	ctrs, err := p.Containers()
	if err != nil {
		return nil, err
	}
	out := [][]string{procps.Headers(descs)}
	for _, c := range ctrs {
		switch c.state.Status {
		case define.StatusRunning, define.StatusPaused, define.StatusStopping:
		default:
			continue
		}
		table, err := c.Top(ctx, args)
		if errors.Is(err, define.ErrCtrStateInvalid) || errors.Is(err, define.ErrNoSuchCtr) || errors.Is(err, define.ErrCtrRemoved) {
			continue // stopped or removed since the snapshot
		}
		if err != nil {
			return nil, err
		}
		out = append(out, table[1:]...)
	}
	return out, nil
}
