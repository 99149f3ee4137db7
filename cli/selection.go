package cli

import (
	"github.com/berth-dev/berth/service"
	"github.com/spf13/pflag"
)

// selFlags names which of podman's selection flags a verb has; -a/--all is
// bound by the verb itself (its help text and shorthand differ).
type selFlags struct {
	latest, filter, cidfile, ignore bool
	// filterLong binds --filter without -f (rm, where -f is --force).
	filterLong bool
}

// bindSelection binds --latest/-l, --filter/-f, --cidfile and
// --ignore/-i into sel, as far as the verb has them.
func bindSelection(f *pflag.FlagSet, sel *service.Selection, which selFlags) {
	if which.latest {
		f.BoolVarP(&sel.Latest, "latest", "l", false, "act on the latest container berth is aware of")
	}
	if which.filter {
		f.StringArrayVarP(&sel.Filters, "filter", "f", nil, "filter output based on conditions given")
	}
	if which.filterLong {
		f.StringArrayVar(&sel.Filters, "filter", nil, "filter output based on conditions given")
	}
	if which.cidfile {
		f.StringArrayVar(&sel.CIDFiles, "cidfile", nil, "read the container ID from the file")
	}
	if which.ignore {
		f.BoolVarP(&sel.Ignore, "ignore", "i", false, "ignore errors when a specified container is missing")
	}
}
