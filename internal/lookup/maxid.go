package lookup

import (
	"bytes"

	"github.com/moby/sys/user"

	"github.com/berth-dev/berth/internal/rootcopy"
)

// nobody is left out of MaxID: images name it (65534) without owning
// files, and a namespace sized for it would be 64 times the usual one.
const nobody = 65534

// MaxID returns one above the highest uid and gid that rootfs's
// /etc/passwd and /etc/group name (0 when they name none): the size a
// user namespace needs for the image's users, as containers-storage
// sizes --userns=auto. The files are read in-root (see the package doc).
func MaxID(rootfs string) (uint32, error) {
	root, err := rootcopy.Open(rootfs)
	if err != nil {
		return 0, err
	}
	defer root.Close()
	var size uint32
	note := func(id int) {
		if id >= 0 && id != nobody && uint32(id) >= size {
			size = uint32(id) + 1
		}
	}
	passwd, err := readFile(root, "/etc/passwd")
	if err != nil {
		return 0, err
	}
	if passwd != nil {
		users, err := user.ParsePasswd(bytes.NewReader(passwd))
		if err != nil {
			return 0, err
		}
		for _, u := range users {
			note(u.Uid)
			note(u.Gid)
		}
	}
	group, err := readFile(root, "/etc/group")
	if err != nil {
		return 0, err
	}
	if group != nil {
		groups, err := user.ParseGroup(bytes.NewReader(group))
		if err != nil {
			return 0, err
		}
		for _, g := range groups {
			note(g.Gid)
		}
	}
	return size, nil
}
