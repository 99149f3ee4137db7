package service

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	estorage "github.com/berth-dev/berth/engine/storage"
	cstorage "go.podman.io/storage"
)

// PsSortKeys are the values of ps --sort, podman's.
var PsSortKeys = []string{"command", "created", "id", "image", "names", "runningfor", "size", "status"}

// SortRows orders the rows by one of PsSortKeys (created and runningfor:
// newest first, as the default).
func SortRows(rows []*ListContainer, key string) error {
	var less func(a, b *ListContainer) bool
	switch key {
	case "", "created", "runningfor":
		return nil // List's own order
	case "command":
		less = func(a, b *ListContainer) bool { return strings.Join(a.Command, " ") < strings.Join(b.Command, " ") }
	case "id":
		less = func(a, b *ListContainer) bool { return a.ID < b.ID }
	case "image":
		less = func(a, b *ListContainer) bool { return a.Image < b.Image }
	case "names":
		less = func(a, b *ListContainer) bool { return a.Names[0] < b.Names[0] }
	case "size":
		less = func(a, b *ListContainer) bool { return rowSize(a) < rowSize(b) }
	case "status":
		less = func(a, b *ListContainer) bool { return a.State < b.State }
	default:
		return fmt.Errorf("invalid option for --sort, options are: %s: %w", strings.Join(PsSortKeys, ", "), define.ErrInvalidArg)
	}
	sort.SliceStable(rows, func(i, j int) bool { return less(rows[i], rows[j]) })
	return nil
}

func rowSize(r *ListContainer) int64 {
	if r.Size == nil {
		return 0
	}
	return r.Size.RootFsSize
}

// ListNamespaces is podman's ps --ns: the inode of each namespace of the
// container's process, "" when it does not run.
type ListNamespaces struct {
	Cgroup string `json:"Cgroup,omitempty"`
	IPC    string `json:"Ipc,omitempty"`
	MNT    string `json:"Mnt,omitempty"`
	NET    string `json:"Net,omitempty"`
	PIDNS  string `json:"Pidns,omitempty"`
	User   string `json:"User,omitempty"`
	UTS    string `json:"Uts,omitempty"`
}

// namespacesOf reads /proc/PID/ns: the inode numbers podman prints.
func namespacesOf(pid int) ListNamespaces {
	if pid <= 0 {
		return ListNamespaces{}
	}
	ino := func(kind string) string {
		l, err := os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "ns", kind))
		if err != nil {
			return ""
		}
		// "net:[4026531840]"
		if i := strings.IndexByte(l, '['); i >= 0 {
			return strings.TrimSuffix(l[i+1:], "]")
		}
		return l
	}
	return ListNamespaces{Cgroup: ino("cgroup"), IPC: ino("ipc"), MNT: ino("mnt"), NET: ino("net"),
		PIDNS: ino("pid"), User: ino("user"), UTS: ino("uts")}
}

// externalRows are the containers in storage that berth has no record of
// (made by buildah, podman or another tool sharing the store), as podman's
// ps --external shows them: state "storage".
func externalRows(rt *engine.Runtime, known []*ListContainer) ([]*ListContainer, error) {
	store, ctrs, err := storageOnlyContainers(rt)
	if err != nil {
		return nil, err
	}
	var out []*ListContainer
	for _, c := range ctrs {
		row := &ListContainer{ID: c.ID, ImageID: c.ImageID, Image: c.ImageID, Created: c.Created,
			Names: c.Names, State: "storage", Status: "Storage", status: define.StatusUnknown,
			Command: []string{}, Mounts: []string{}, Networks: []string{}, Ports: []define.PortMapping{}, Labels: map[string]string{}}
		if len(row.Names) == 0 {
			row.Names = []string{c.ID[:12]}
		}
		if img, err := store.Storage().Image(c.ImageID); err == nil && len(img.Names) > 0 {
			row.Image = img.Names[0]
		}
		out = append(out, row)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, nil
}

// storageOnlyContainers are the containers in storage that berth has no
// record of, with the store they are in.
func storageOnlyContainers(rt *engine.Runtime) (*estorage.Store, []cstorage.Container, error) {
	store, err := rt.Storage()
	if err != nil {
		return nil, nil, err
	}
	ctrs, err := store.Storage().Containers()
	if err != nil {
		return nil, nil, err
	}
	ours, err := rt.ListContainers()
	if err != nil {
		return nil, nil, err
	}
	known := make(map[string]bool, len(ours))
	for _, c := range ours {
		known[c.ID()] = true
	}
	return store, slices.DeleteFunc(ctrs, func(c cstorage.Container) bool { return known[c.ID] }), nil
}
