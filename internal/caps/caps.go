// Package caps lists Linux capabilities the way the OCI runtime can grant
// them.
package caps

import (
	"strings"

	"github.com/moby/sys/capability"
)

// All returns every capability the kernel supports that this process may
// pass on (its bounding set), as CAP_* names. Asking the runtime for one
// outside the bounding set makes the container fail to start, which is
// what --privileged did on hosts (like some sandboxes) that drop, say,
// CAP_SYS_RESOURCE.
func All() []string {
	list, err := capability.ListSupported()
	if err != nil {
		list = capability.ListKnown()
	}
	own, err := capability.NewPid2(0)
	if err == nil {
		err = own.Load()
	}
	out := make([]string, 0, len(list))
	for _, c := range list {
		if err == nil && !own.Get(capability.BOUNDING, c) {
			continue
		}
		out = append(out, "CAP_"+strings.ToUpper(c.String()))
	}
	return out
}
