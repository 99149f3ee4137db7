package caps

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// All must list exactly the capabilities of this process's bounding set.
func TestAllMatchesBoundingSet(t *testing.T) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip(err)
	}
	var bnd uint64
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "CapBnd:"); ok {
			bnd, _ = strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		}
	}
	all := All()
	n := 0
	for i := 0; i < 64; i++ {
		if bnd&(1<<i) != 0 {
			n++
		}
	}
	if len(all) != n {
		t.Errorf("All() = %d capabilities %v, bounding set has %d", len(all), all, n)
	}
	for _, c := range all {
		if !strings.HasPrefix(c, "CAP_") {
			t.Errorf("bad name %q", c)
		}
	}
}
