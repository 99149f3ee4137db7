package cli

import (
	storagetypes "go.podman.io/storage/types"
)

// defaultStorage returns the graph root, run root and driver from
// storage.conf (or CONTAINERS_STORAGE_CONF), like every containers tool.
func defaultStorage() (graphRoot, runRoot, driver string, err error) {
	o, err := storagetypes.DefaultStoreOptions()
	if err != nil {
		return "", "", "", err
	}
	return o.GraphRoot, o.RunRoot, o.GraphDriverName, nil
}
