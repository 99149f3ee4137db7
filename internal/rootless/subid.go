package rootless

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// subIDs returns the user's ranges from /etc/subuid or /etc/subgid
// (lines NAME:START:COUNT, or UID:START:COUNT), host IDs in HostID.
func subIDs(file, name, uid string) ([]IDMap, error) {
	f, err := os.Open(file)
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	var out []IDMap
	if f != nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			parts := strings.Split(strings.TrimSpace(sc.Text()), ":")
			if len(parts) != 3 || (parts[0] != name && parts[0] != uid) {
				continue
			}
			start, err1 := strconv.Atoi(parts[1])
			size, err2 := strconv.Atoi(parts[2])
			if err1 != nil || err2 != nil || start < 0 || size <= 0 {
				return nil, fmt.Errorf("%s: bad entry %q for user %s", file, sc.Text(), name)
			}
			out = append(out, IDMap{HostID: start, Size: size})
		}
		if err := sc.Err(); err != nil {
			return nil, err
		}
	}
	if len(out) == 0 {
		flag := "--add-subuids"
		if strings.HasSuffix(file, "gid") {
			flag = "--add-subgids"
		}
		return nil, fmt.Errorf("no subordinate IDs for user %s in %s: rootless berth needs a range there; as root, add one with `usermod %s 100000-165535 %s`", name, file, flag, name)
	}
	return out, nil
}
