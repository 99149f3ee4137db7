package engine

import (
	"fmt"
	"io"
	"os"
	"strconv"
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
