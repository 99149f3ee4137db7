package engine

import (
	"fmt"
	"maps"
	"os"

	"github.com/berth-dev/berth/engine/define"
)

// journalSocket is where systemd-journald listens; a variable so that a
// test can fake the journal's presence.
var journalSocket = "/run/systemd/journal/socket"

// journalAvailable reports, as an error naming what is missing, whether
// the systemd journal runs: conmon's journald driver has nowhere to write
// otherwise, and the container's output would be lost unseen.
func journalAvailable() error {
	if _, err := os.Stat(journalSocket); err != nil {
		return fmt.Errorf("log driver journald: the systemd journal is not running here (no %s): %w", journalSocket, define.ErrInvalidArg)
	}
	return nil
}

// WithLogOptions records the --log-opt settings: sizeMax caps the
// k8s-file log (conmon's --log-size-max), tag is journald's CONTAINER_TAG,
// opts are all of them as given, for inspect.
func WithLogOptions(sizeMax int64, tag string, opts map[string]string) CtrOption {
	return func(c *define.ContainerConfig) error {
		if sizeMax < 0 {
			return fmt.Errorf("log max-size %d: must not be negative: %w", sizeMax, define.ErrInvalidArg)
		}
		c.LogSizeMax, c.LogTag = sizeMax, tag
		c.LogOpts = maps.Clone(opts)
		return nil
	}
}

// inspectLogConfig is HostConfig.LogConfig as podman shows it.
func (c *Container) inspectLogConfig() define.InspectLogConfig {
	lc := define.InspectLogConfig{Type: firstNonEmptyStr(c.config.LogDriver, "k8s-file"), Config: map[string]string{}, Tag: c.config.LogTag}
	if lc.Type == "k8s-file" {
		lc.Path = c.LogPath()
	}
	maps.Copy(lc.Config, c.config.LogOpts)
	if v, ok := c.config.LogOpts["max-size"]; ok {
		lc.Size = v
	}
	return lc
}
