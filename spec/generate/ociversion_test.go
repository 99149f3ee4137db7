package generate

import (
	"strings"
	"testing"

	"github.com/berth-dev/berth/spec"
)

// crun before 1.9 refuses a spec whose ociVersion lacks "1.0" (Debian 12's
// crun 1.8: "unknown version specified"); runc accepts any.
func TestOCIVersionAcceptedByOldCrun(t *testing.T) {
	g, _, err := gen(t, &spec.ContainerSpec{}, testImage(), testHost())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(g.Version, "1.0") {
		t.Errorf("ociVersion = %q, want one containing 1.0", g.Version)
	}
}
