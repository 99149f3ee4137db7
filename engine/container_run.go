package engine

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/engine/define"
)

// containerEnvFile is /run/.containerenv, the file by which programs in
// a container know they run in one. As in podman it is empty unless the
// container is privileged; a privileged one learns the engine, its name
// and ID and its image (toolbox and similar tools read it).
func (c *Container) containerEnvFile() []byte {
	if !c.config.Privileged {
		return []byte{}
	}
	engine := "berth"
	if v := c.runtime.cfg.EngineVersion; v != "" {
		engine += "-" + v
	}
	rootless := 0
	if os.Geteuid() != 0 {
		rootless = 1
	}
	return fmt.Appendf(nil, "engine=%q\nname=%q\nid=%q\nimage=%q\nimageid=%q\nrootless=%d\n",
		engine, c.config.Name, c.config.ID, c.config.ImageName, c.config.ImageID, rootless)
}

// writePidFiles writes the container's and conmon's PIDs to the files
// --pidfile and --conmon-pidfile named, as conmon writes them for podman.
//
// Preconditions: c.lock is held.
func (c *Container) writePidFiles(pid, conmonPID int) error {
	for _, f := range []struct {
		path string
		pid  int
	}{{c.config.PidFile, pid}, {c.config.ConmonPidFile, conmonPID}} {
		if f.path == "" {
			continue
		}
		if err := os.WriteFile(f.path, []byte(strconv.Itoa(f.pid)), 0o644); err != nil {
			return fmt.Errorf("container %s: writing pid file: %w", c.config.Name, err)
		}
	}
	return nil
}

// readHostsBase reads a --hosts-file from the host: a regular file of at
// most maxHostsSeed bytes.
func readHostsBase(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() || st.Size() > maxHostsSeed {
		return nil, fmt.Errorf("%s: not a regular file of at most %d bytes", path, maxHostsSeed)
	}
	return io.ReadAll(io.LimitReader(f, maxHostsSeed))
}

// hostEntriesLocked are the extra /etc/hosts entries ("name:ip"):
// --add-host, then each --link's addresses under its alias and the
// linked container's name. A linked container that is not running is
// an error, as in docker.
//
// Preconditions: c.lock is held. The linked containers are read from a
// snapshot of the database, without their locks (one container lock at
// a time).
func (c *Container) hostEntriesLocked() ([]string, error) {
	entries := c.config.HostAdd
	if len(c.config.Links) == 0 {
		return entries, nil
	}
	entries = append([]string{}, entries...)
	for _, l := range c.config.Links {
		id, alias, _ := strings.Cut(l, ":")
		rec, err := c.runtime.state.Container(id)
		if err != nil {
			return nil, fmt.Errorf("container %s: link %s: %w", c.config.Name, alias, err)
		}
		if rec.State.Status != define.StatusRunning {
			return nil, fmt.Errorf("cannot link to a non running container: /%s AS /%s/%s: %w",
				rec.Config.Name, c.config.Name, alias, define.ErrCtrStateInvalid)
		}
		names := []string{alias}
		if rec.Config.Name != alias {
			names = append(names, rec.Config.Name)
		}
		for _, n := range rec.State.NetworkStatus {
			for _, cidr := range n.IPs {
				ip, _, _ := strings.Cut(cidr, "/")
				for _, name := range names {
					entries = append(entries, name+":"+ip)
				}
			}
		}
	}
	return entries, nil
}
