package service

import (
	"context"
	"io"
	"time"

	"github.com/berth-dev/berth/engine"
)

// Change is one entry of `diff`.
type Change = engine.Change

// PathStat describes a path inside a container.
type PathStat = engine.PathStat

// ContainerStats samples the container's cgroup and network counters.
func (b *Backend) ContainerStats(ctx context.Context, name string) (ContainerStats, error) {
	c, err := b.rt.LookupContainer(name)
	if err != nil {
		return ContainerStats{}, err
	}
	return c.Stats(ctx)
}

// ContainerChanges is `diff`.
func (b *Backend) ContainerChanges(ctx context.Context, name string) ([]Change, error) {
	c, err := b.rt.LookupContainer(name)
	if err != nil {
		return nil, err
	}
	return c.Changes(ctx)
}

// ContainerExport is `export`: the root filesystem as a tar stream.
func (b *Backend) ContainerExport(ctx context.Context, name string, w io.Writer) error {
	return b.with(name, func(c *engine.Container) error { return c.Export(ctx, w) })
}

// ContainerStatPath describes p inside the container (resolved in-root).
func (b *Backend) ContainerStatPath(ctx context.Context, name, p string) (PathStat, error) {
	c, err := b.rt.LookupContainer(name)
	if err != nil {
		return PathStat{}, err
	}
	return c.StatPath(ctx, p)
}

// ContainerGetArchive writes p as a tar stream, like `cp CTR:p -`.
func (b *Backend) ContainerGetArchive(ctx context.Context, name, p string, w io.Writer) (PathStat, error) {
	c, err := b.rt.LookupContainer(name)
	if err != nil {
		return PathStat{}, err
	}
	return c.GetArchive(ctx, p, w)
}

// ContainerPutArchive extracts a tar stream into directory dir, like
// `cp - CTR:dir`; chownToUser gives the files to the container's user
// (docker's copyUIDGID), else they keep the archive's owners.
func (b *Backend) ContainerPutArchive(ctx context.Context, name, dir string, r io.Reader, overwrite, chownToUser bool) error {
	return b.with(name, func(c *engine.Container) error {
		return c.PutArchive(ctx, dir, r, engine.PutArchiveOptions{Overwrite: overwrite, ChownToUser: chownToUser})
	})
}

// StatsCPU is a sample's CPU use in percent of one CPU: over the interval
// since prev when that is an earlier sample of the same run, else since
// the container started (avg is always the latter).
func StatsCPU(s ContainerStats, prev *ContainerStats) (cpu, avg float64) {
	if !s.Running {
		return 0, 0
	}
	avg = percentOf(s.CPUNano, s.Time.Sub(s.StartedAt))
	cpu = avg
	if prev != nil && prev.Running && prev.CPUNano <= s.CPUNano {
		cpu = percentOf(s.CPUNano-prev.CPUNano, s.Time.Sub(prev.Time))
	}
	return cpu, avg
}

func percentOf(cpu uint64, wall time.Duration) float64 {
	if wall <= 0 {
		return 0
	}
	return float64(cpu) / float64(wall) * 100
}
