package generate

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/spec"
)

// TestCPUQuota: a CPU limit in billionths becomes a quota per 100ms
// period, within docker's range (the flag text is internal/specflag's).
func TestCPUQuota(t *testing.T) {
	const rangeErr = "range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available"
	tests := []struct {
		in      int64
		want    int64
		wantErr string
	}{
		{1.5e9, 150000, ""},
		{2e9, 200000, ""},
		{1e7, 1000, ""},
		{0, 0, ""},
		{2.01e9, 0, rangeErr},
		{1 << 62, 0, rangeErr},
		{-1e9, 0, rangeErr},
		{1e6, 0, rangeErr},
	}
	for _, tt := range tests {
		got, err := cpuQuota(tt.in, 2)
		if tt.wantErr == "" {
			if err != nil || got != tt.want {
				t.Errorf("cpuQuota(%d) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, define.ErrInvalidArg) {
			t.Errorf("cpuQuota(%d) = %d, %v; want an invalid-argument error with %q", tt.in, got, err, tt.wantErr)
		}
	}
}

func TestCPUsZeroIsNoLimit(t *testing.T) {
	g, _, err := gen(t, &spec.ContainerSpec{NanoCPUs: 0}, testImage(), testHost())
	if err != nil {
		t.Fatal(err)
	}
	if g.Linux.Resources.CPU != nil {
		t.Errorf("cpu %+v, want no limit", g.Linux.Resources.CPU)
	}
}

func TestSwapDroppedWithWarning(t *testing.T) {
	const msg = "Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap."
	tests := []struct {
		name     string
		s        spec.ContainerSpec
		noSwap   bool
		wantWarn bool
		wantSwap bool
	}{
		{"explicit swap, no accounting", spec.ContainerSpec{Memory: 64 << 20, MemorySwap: 128 << 20}, true, true, false},
		{"implicit swap, no accounting", spec.ContainerSpec{Memory: 64 << 20}, true, true, false},
		{"unlimited swap, no accounting", spec.ContainerSpec{Memory: 64 << 20, MemorySwap: -1}, true, false, false},
		{"explicit swap, accounting", spec.ContainerSpec{Memory: 64 << 20, MemorySwap: 128 << 20}, false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := testHost()
			h.NoSwapLimit = tt.noSwap
			var warns []string
			h.Warn = func(m string) { warns = append(warns, m) }
			g, _, err := gen(t, &tt.s, testImage(), h)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantWarn != (len(warns) == 1 && warns[0] == msg) {
				t.Errorf("warnings %q, want warning %v", warns, tt.wantWarn)
			}
			if got := g.Linux.Resources.Memory.Swap != nil; got != tt.wantSwap {
				t.Errorf("swap set %v, want %v", got, tt.wantSwap)
			}
		})
	}
}

func TestSwapValidation(t *testing.T) {
	for _, tt := range []struct {
		s       spec.ContainerSpec
		wantErr string
	}{
		{spec.ContainerSpec{MemorySwap: 1 << 30}, "memory swap limit 1073741824: needs a memory limit as well"},
		{spec.ContainerSpec{Memory: 1 << 30, MemorySwap: 512 << 20}, "must be at least the memory limit"},
		{spec.ContainerSpec{Memory: 1 << 30, MemorySwap: -2}, "must be -1 or positive"},
		{spec.ContainerSpec{Memory: -1}, "memory limit -1: must be positive"},
		{spec.ContainerSpec{Memory: 1 << 10}, "minimum memory limit is 6MB"},
	} {
		// A host without swap accounting validates the same way.
		h := testHost()
		h.NoSwapLimit = true
		if _, _, err := Container(&tt.s, testImage(), h, Placement{}); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%+v: error %v, want %q", tt.s, err, tt.wantErr)
		}
	}
}

// --memory-swap -1 needs no --memory (podman and docker accept it): there
// is nothing to limit.
func TestSwapUnlimitedAlone(t *testing.T) {
	g, _, err := gen(t, &spec.ContainerSpec{MemorySwap: -1}, testImage(), testHost())
	if err != nil {
		t.Fatal(err)
	}
	if g.Linux.Resources.Memory != nil {
		t.Errorf("memory %+v, want no limit", g.Linux.Resources.Memory)
	}
}

func TestSwapAccounting(t *testing.T) {
	touch := func(t *testing.T, path string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	own := func() string { return "/user.slice/x.scope" }
	t.Run("v1 with memsw", func(t *testing.T) {
		root := t.TempDir()
		touch(t, filepath.Join(root, "memory", "memory.memsw.limit_in_bytes"))
		if !swapAccounting(root, false, own) {
			t.Error("no swap accounting, want it")
		}
	})
	t.Run("v1 without memsw", func(t *testing.T) {
		root := t.TempDir()
		touch(t, filepath.Join(root, "memory", "memory.limit_in_bytes"))
		if swapAccounting(root, false, own) {
			t.Error("swap accounting, want none")
		}
	})
	t.Run("v2 with swap.max", func(t *testing.T) {
		root := t.TempDir()
		touch(t, filepath.Join(root, own(), "memory.max"))
		touch(t, filepath.Join(root, own(), "memory.swap.max"))
		if !swapAccounting(root, true, own) {
			t.Error("no swap accounting, want it")
		}
	})
	t.Run("v2 without swap.max", func(t *testing.T) {
		root := t.TempDir()
		touch(t, filepath.Join(root, own(), "memory.max"))
		if swapAccounting(root, true, own) {
			t.Error("swap accounting, want none")
		}
	})
	t.Run("v2 memory controller off", func(t *testing.T) {
		root := t.TempDir()
		touch(t, filepath.Join(root, own(), "cgroup.procs"))
		if !swapAccounting(root, true, own) {
			t.Error("no swap accounting, want the benefit of the doubt")
		}
	})
}
