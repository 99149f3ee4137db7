// Package rootless runs berth for an unprivileged user the way podman
// does: one long-lived pause process holds a user namespace (mapped from
// the user's /etc/subuid and /etc/subgid ranges with newuidmap and
// newgidmap) and a mount namespace, and every berth command joins both
// before it touches storage, so the overlay mounts and network namespaces
// one command makes are there for the next.
//
// Joining happens in a cgo constructor (join_linux.go) because setns(2)
// into a user namespace needs a single-threaded process and the Go
// runtime starts threads before main. The first command, which finds no
// pause process, makes one and re-executes itself with
// _BERTH_ROOTLESS_JOIN naming it. (nsenter(1) would do the join too, but
// costs an extra exec on every command; the constructor costs none.)
package rootless

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
)

// Environment variables shared with containers/storage (which reads the
// first two to pick per-user paths) and with berth's own children.
const (
	envRootlessUID = "_CONTAINERS_ROOTLESS_UID"
	envConfigured  = "_CONTAINERS_USERNS_CONFIGURED"
	envRootlessGID = "_BERTH_ROOTLESS_GID"
	envJoin        = "_BERTH_ROOTLESS_JOIN"
	envNoJoin      = "_BERTH_ROOTLESS_NOJOIN"
	envPause       = "_BERTH_ROOTLESS_PAUSE"
)

// Init records, for containers/storage and for the processes berth starts
// (conmon and its exit command, the full binary a lean one hands off to),
// that this process runs rootless in the pause process's namespaces. Call
// it first thing in main.
func Init() {
	if uid, gid, _, ok := joined(); ok {
		os.Setenv(envRootlessUID, strconv.Itoa(uid))
		os.Setenv(envRootlessGID, strconv.Itoa(gid))
		os.Setenv(envConfigured, "done")
	}
}

// IsRootless reports whether berth runs for an unprivileged user: either
// outside any namespace with a non-zero UID, or as root inside the user
// namespace berth made for that user.
func IsRootless() bool {
	if os.Geteuid() != 0 {
		return true
	}
	return os.Getenv(envRootlessUID) != "" && InUserNS()
}

// InUserNS reports whether the process is in a user namespace other than
// the host's (whose uid_map is the whole identity range).
var InUserNS = sync.OnceValue(func() bool {
	data, err := os.ReadFile("/proc/self/uid_map")
	if err != nil {
		return false
	}
	f := strings.Fields(string(data))
	return !(len(f) == 3 && f[0] == "0" && f[1] == "0" && f[2] == "4294967295")
})

// UID returns the unprivileged user's ID on the host (the process's own
// outside a namespace).
func UID() int {
	if os.Geteuid() != 0 {
		return os.Geteuid()
	}
	if n, err := strconv.Atoi(os.Getenv(envRootlessUID)); err == nil {
		return n
	}
	return 0
}

// GID is UID's counterpart for the primary group.
func GID() int {
	if os.Geteuid() != 0 {
		return os.Getegid()
	}
	if n, err := strconv.Atoi(os.Getenv(envRootlessGID)); err == nil {
		return n
	}
	return 0
}

// IDMap is one line of a uid_map or gid_map: Size IDs from ContainerID on
// inside are HostID on outside.
type IDMap struct {
	ContainerID int `json:"container_id"`
	HostID      int `json:"host_id"`
	Size        int `json:"size"`
}

// CurrentMaps returns the process's uid and gid maps (for `info`).
func CurrentMaps() (uids, gids []IDMap, err error) {
	if uids, err = readMap("/proc/self/uid_map"); err != nil {
		return nil, nil, err
	}
	gids, err = readMap("/proc/self/gid_map")
	return uids, gids, err
}

func readMap(path string) ([]IDMap, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []IDMap
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 {
			continue
		}
		var m IDMap
		var errs [3]error
		m.ContainerID, errs[0] = strconv.Atoi(f[0])
		m.HostID, errs[1] = strconv.Atoi(f[1])
		m.Size, errs[2] = strconv.Atoi(f[2])
		if errs[0] != nil || errs[1] != nil || errs[2] != nil {
			return nil, fmt.Errorf("%s: bad line %q", path, sc.Text())
		}
		out = append(out, m)
	}
	return out, nil
}
