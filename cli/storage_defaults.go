package cli

import (
	"os"

	storagetypes "go.podman.io/storage/types"
)

// defaultStorage returns the graph root, run root and driver from
// storage.conf (or CONTAINERS_STORAGE_CONF), like every containers tool.
// Rootless (containers/storage reads _CONTAINERS_ROOTLESS_UID, which
// rootless.Init sets) that is $XDG_DATA_HOME/containers/storage or
// ~/.local/share/containers/storage and the user's storage.conf.
func defaultStorage() (graphRoot, runRoot, driver string, err error) {
	o, err := storagetypes.DefaultStoreOptions()
	if err != nil {
		return "", "", "", err
	}
	return o.GraphRoot, o.RunRoot, o.GraphDriverName, nil
}

// storageConfSetsRunRoot reports whether the user named storage.conf
// explicitly, whose runroot then wins over berth's rootless default.
func storageConfSetsRunRoot() bool {
	return os.Getenv("CONTAINERS_STORAGE_CONF") != ""
}
