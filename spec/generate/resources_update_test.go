package generate

import (
	"errors"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/engine/define"
)

func TestUpdateResources(t *testing.T) {
	mem, swap, pids := int64(64<<20), int64(128<<20), int64(2048)
	shares := uint64(512)
	cur := &specs.LinuxResources{
		Memory: &specs.LinuxMemory{Limit: &mem, Swap: &swap},
		Pids:   &specs.LinuxPids{Limit: &pids},
		CPU:    &specs.LinuxCPU{Shares: &shares},
	}
	host := &Host{NumCPU: 4}
	limit := int64(100)
	m256, cpus := int64(256<<20), int64(1.5e9)
	got, err := UpdateResources(cur, ResourceUpdate{Memory: &m256, NanoCPUs: &cpus, PidsLimit: &limit}, host)
	if err != nil {
		t.Fatal(err)
	}
	if *got.Memory.Limit != 256<<20 || *got.Memory.Swap != 512<<20 {
		t.Errorf("memory = %d swap %d", *got.Memory.Limit, *got.Memory.Swap)
	}
	if *got.CPU.Quota != 150000 || *got.CPU.Period != 100000 || *got.CPU.Shares != 512 {
		t.Errorf("cpu = %d/%d shares %d", *got.CPU.Quota, *got.CPU.Period, *got.CPU.Shares)
	}
	if *got.Pids.Limit != 100 {
		t.Errorf("pids = %d", *got.Pids.Limit)
	}
	if *cur.Memory.Limit != 64<<20 || *cur.Pids.Limit != 2048 {
		t.Errorf("cur was changed")
	}

	// --memory-swap alone keeps the memory limit; --pids-limit 0 lifts it.
	zero := int64(0)
	g1 := int64(1 << 30)
	got, err = UpdateResources(cur, ResourceUpdate{MemorySwap: &g1, PidsLimit: &zero}, host)
	if err != nil {
		t.Fatal(err)
	}
	if *got.Memory.Limit != 64<<20 || *got.Memory.Swap != 1<<30 || *got.Pids.Limit != -1 {
		t.Errorf("swap only: memory %d swap %d pids %d", *got.Memory.Limit, *got.Memory.Swap, *got.Pids.Limit)
	}

	k1, nine := int64(1024), int64(9e9)
	for _, s := range []ResourceUpdate{{Memory: &k1}, {NanoCPUs: &nine}, {CPUShares: 1}, {MemorySwap: &g1}} {
		if _, err := UpdateResources(&specs.LinuxResources{}, s, host); !errors.Is(err, define.ErrInvalidArg) {
			t.Errorf("UpdateResources(%+v) = %v, want an invalid argument", s, err)
		}
	}
}
