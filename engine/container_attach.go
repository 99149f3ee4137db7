package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/oci"
)

// AttachStreams selects the streams an attach copies.
type AttachStreams = oci.AttachStreams

// ErrDetach is returned by attach when the user typed the detach keys.
var ErrDetach = oci.ErrDetach

// StartAndAttach starts the container with the caller attached to its
// streams. It connects to conmon's attach socket before the process starts,
// so no output is lost. The channel yields the attach result once the
// container closes its output, or ErrDetach.
func (c *Container) StartAndAttach(ctx context.Context, s AttachStreams, detachKeys []byte, resize <-chan [2]uint16) (<-chan error, error) {
	// What it joins runs first (a pod's infra container), as for Start.
	if err := c.startDependencies(ctx); err != nil {
		return nil, err
	}
	if err := c.lockSync(); err != nil {
		return nil, err
	}
	defer c.lock.Unlock()
	switch c.state.Status {
	case define.StatusRunning:
		return nil, fmt.Errorf("container %s is already running: %w", c.config.Name, define.ErrCtrStateInvalid)
	case define.StatusConfigured, define.StatusStopped, define.StatusExited:
		if err := c.initLocked(ctx); err != nil {
			return nil, err
		}
	case define.StatusCreated:
	default:
		return nil, c.stateError("start")
	}
	rt, err := c.runtime.ociRuntimeFor(c.config.OCIRuntime)
	if err != nil {
		return nil, err
	}
	errCh := make(chan error, 1)
	if c.config.LogDriver == "syslog" {
		// No attach socket: the streams go to syslog. Start, and the
		// caller waits for the exit.
		if err := c.runLocked(ctx); err != nil {
			return nil, err
		}
		errCh <- nil
		return errCh, nil
	}
	detachKeys = c.detachKeysFor(detachKeys)
	connected := make(chan struct{})
	s.Connected = func() { close(connected) }
	go func() { errCh <- rt.Attach(ctx, c.config.ID, c.bundleDir(), s, detachKeys, resize) }()
	select {
	case <-connected:
	case err := <-errCh:
		// Could not attach: leave the container created, not running.
		return nil, err
	}
	if err := c.runLocked(ctx); err != nil {
		return nil, err
	}
	return errCh, nil
}

// Attach connects to a running container's streams, or to a created one
// (conmon is up): the API's clients attach before they start it.
func (c *Container) Attach(ctx context.Context, s AttachStreams, detachKeys []byte, resize <-chan [2]uint16) error {
	if err := c.lockSync(); err != nil {
		return err
	}
	status := c.state.Status
	c.lock.Unlock()
	if status != define.StatusRunning && status != define.StatusCreated {
		return fmt.Errorf("you can only attach to running containers: %w", define.ErrCtrStateInvalid)
	}
	if c.config.LogDriver == "syslog" {
		// Its streams go to syslog, there is nothing to attach to: an
		// empty stream (the client then waits for the exit).
		if s.Connected != nil {
			s.Connected()
		}
		return nil
	}
	rt, err := c.runtime.ociRuntimeFor(c.config.OCIRuntime)
	if err != nil {
		return err
	}
	err = rt.Attach(ctx, c.config.ID, c.bundleDir(), s, c.detachKeysFor(detachKeys), resize)
	if errors.Is(err, oci.ErrDetach) {
		return ErrDetach
	}
	return err
}

// detachKeysFor returns the detach keys to scan stdin for. Only a terminal
// session can detach (as in docker): piped stdin is binary data that must
// reach the container byte for byte, ctrl-p ctrl-q included.
func (c *Container) detachKeysFor(keys []byte) []byte {
	if !c.config.Terminal {
		return nil
	}
	return keys
}
