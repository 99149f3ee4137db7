package engine

import (
	"path/filepath"
	"strconv"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/lock"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Container is a handle on one container. Its config is immutable and read
// without locking; its state is guarded by lock and must be synced from
// the database after taking it.
type Container struct {
	config  *define.ContainerConfig
	state   *define.ContainerState
	lock    lock.Locker
	runtime *Runtime
	// valid turns false once the container is removed.
	valid bool
	// claimed is set while this process holds the cleanup claim: conmon
	// then gets its exit command delayed, to be cancelled after our own
	// cleanup, unless the claimant may detach (claimDetachable).
	claimed, claimDetachable bool
	// savedMidInit is set when init saved the state before it finished
	// (prepareVolume records a volume's use first): a failed init then
	// saves what its undo left.
	savedMidInit bool
}

// ID returns the container's full ID.
func (c *Container) ID() string { return c.config.ID }

// Name returns the container's name.
func (c *Container) Name() string { return c.config.Name }

// Config returns a copy of the immutable configuration.
func (c *Container) Config() define.ContainerConfig { return *c.config }

// CachedState returns the state as last read, without locking. Good for
// displays that tolerate staleness.
func (c *Container) CachedState() define.ContainerState { return *c.state }

// Spec returns the OCI spec the container was created with (as
// spec/generate made it; the start-time additions are not in it).
func (c *Container) Spec() (*specs.Spec, error) { return c.runtime.state.ContainerSpec(c.config.ID) }

// State locks the container, syncs it and returns its state.
func (c *Container) State() (define.ContainerState, error) {
	if err := c.lockSync(); err != nil {
		return define.ContainerState{}, err
	}
	defer c.lock.Unlock()
	return *c.state, nil
}

// bundleDir is the per-container directory on the run root: config.json,
// pid files, attach/ctl fifos and generated /etc files.
func (c *Container) bundleDir() string {
	return filepath.Join(c.runtime.cfg.bundleRoot(), c.config.ID)
}

// staticDir survives reboots; it holds the container's log.
func (c *Container) staticDir() string {
	return filepath.Join(c.runtime.cfg.staticDir(), c.config.ID)
}

// LogPath returns the path of the container's k8s-file log.
func (c *Container) LogPath() string {
	if c.config.LogPath != "" {
		return c.config.LogPath
	}
	return filepath.Join(c.staticDir(), "ctr.log")
}

// StopTimeout returns the default seconds `stop` waits before SIGKILL.
func (c *Container) StopTimeout() uint { return c.config.StopTimeout }

// Created returns the creation time.
func (c *Container) Created() time.Time { return c.config.CreatedTime }

func itoa(i int) string { return strconv.Itoa(i) }

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
