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

func TestCPUQuota(t *testing.T) {
	const rangeErr = "range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available"
	tests := []struct {
		in      string
		want    int64
		wantErr string
	}{
		{"1.5", 150000, ""},
		{"2", 200000, ""},
		{"0.01", 1000, ""},
		{"0", 0, ""},
		{"0.0", 0, ""},
		{"2.01", 0, rangeErr},
		{"3", 0, rangeErr},
		// 1e15 CPUs overflowed the quota into a negative number and was
		// called "too small".
		{"1e15", 0, rangeErr},
		{"1e300", 0, rangeErr},
		{"-1", 0, rangeErr},
		{"-0.5", 0, rangeErr},
		{"0.001", 0, rangeErr},
		{"NaN", 0, "must be a number"},
		{"Inf", 0, "must be a number"},
		{"-Inf", 0, "must be a number"},
		{"two", 0, "must be a number"},
		{"", 0, "must be a number"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := cpuQuota(tt.in, 2)
			if tt.wantErr == "" {
				if err != nil || got != tt.want {
					t.Fatalf("cpuQuota(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, define.ErrInvalidArg) {
				t.Fatalf("cpuQuota(%q) = %d, %v; want an invalid-argument error with %q", tt.in, got, err, tt.wantErr)
			}
			if !strings.HasPrefix(err.Error(), "--cpus ") {
				t.Errorf("error %q does not name the flag", err)
			}
		})
	}
}

func TestCPUsZeroIsNoLimit(t *testing.T) {
	g, _, err := gen(t, &spec.ContainerSpec{CPUs: "0"}, testImage(), testHost())
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
		{"explicit swap, no accounting", spec.ContainerSpec{Memory: "64m", MemorySwap: "128m"}, true, true, false},
		{"implicit swap, no accounting", spec.ContainerSpec{Memory: "64m"}, true, true, false},
		{"unlimited swap, no accounting", spec.ContainerSpec{Memory: "64m", MemorySwap: "-1"}, true, false, false},
		{"explicit swap, accounting", spec.ContainerSpec{Memory: "64m", MemorySwap: "128m"}, false, false, true},
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
		{spec.ContainerSpec{MemorySwap: "1g"}, "--memory-swap \"1g\": needs --memory"},
		{spec.ContainerSpec{Memory: "1g", MemorySwap: "512m"}, "must be at least --memory"},
		{spec.ContainerSpec{Memory: "1g", MemorySwap: "0"}, "must be -1 or a positive size"},
		{spec.ContainerSpec{Memory: "1g", MemorySwap: "-2"}, "must be -1 or a positive size"},
	} {
		// A host without swap accounting validates the same way.
		h := testHost()
		h.NoSwapLimit = true
		if _, _, err := Container(&tt.s, testImage(), h); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%+v: error %v, want %q", tt.s, err, tt.wantErr)
		}
	}
}

// --memory-swap -1 needs no --memory (podman and docker accept it): there
// is nothing to limit.
func TestSwapUnlimitedAlone(t *testing.T) {
	g, _, err := gen(t, &spec.ContainerSpec{MemorySwap: "-1"}, testImage(), testHost())
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
