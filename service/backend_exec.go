package service

import (
	"context"
	"fmt"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
)

// ExecSessionInfo is one exec session as the API shows it, with the
// container it runs in.
type ExecSessionInfo struct {
	define.ExecSession
	ContainerID string
}

// ExecCreate records an exec session in a running container (the
// command, env, user... of opts; its streams and Detach are not used) and
// returns its ID. Nothing runs until ExecStart.
func (b *Backend) ExecCreate(ctx context.Context, name string, opts ExecOptions) (string, error) {
	c, err := b.rt.LookupContainer(name)
	if err != nil {
		return "", err
	}
	cfg, err := execConfig(opts)
	if err != nil {
		return "", err
	}
	return c.ExecCreate(ctx, cfg)
}

// ExecInspect returns an exec session by its ID, exits of detached ones
// folded in.
func (b *Backend) ExecInspect(id string) (*ExecSessionInfo, error) {
	c, err := b.execContainer(id)
	if err != nil {
		return nil, err
	}
	sessions, err := c.ExecSessions()
	if err != nil {
		return nil, err
	}
	s, ok := sessions[id]
	if !ok {
		return nil, noSuchExec(id)
	}
	return &ExecSessionInfo{ExecSession: s, ContainerID: c.ID()}, nil
}

// ExecStart runs a created session with the caller attached and returns
// its exit code. The session stays recorded (exited) so that its exit code
// can be inspected afterwards, as docker's clients do; it goes when its
// container stops.
func (b *Backend) ExecStart(ctx context.Context, id string, s AttachStreams, detachKeys []byte, resize <-chan [2]uint16) (int, error) {
	c, err := b.execContainer(id)
	if err != nil {
		return -1, err
	}
	return c.ExecStartAndAttach(ctx, id, s, detachKeys, resize)
}

// ExecStartDetached runs a created session with nobody attached.
func (b *Backend) ExecStartDetached(ctx context.Context, id string) error {
	c, err := b.execContainer(id)
	if err != nil {
		return err
	}
	return c.ExecStart(ctx, id)
}

// execContainer finds the container that holds exec session id: sessions
// live in their container's state, so each container's last-read state is
// searched (a session exists only in a running container).
func (b *Backend) execContainer(id string) (*engine.Container, error) {
	if id == "" {
		return nil, noSuchExec(id)
	}
	ctrs, err := b.rt.Containers()
	if err != nil {
		return nil, err
	}
	for _, c := range ctrs {
		if _, ok := c.CachedState().ExecSessions[id]; ok {
			return b.rt.LookupContainer(c.ID())
		}
	}
	return nil, noSuchExec(id)
}

func noSuchExec(id string) error {
	return fmt.Errorf("%s: %w", id, define.ErrNoSuchExecSession)
}
