package engine

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"text/template"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/logsyslog"
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
		if _, err := expandLogTag(tag, &define.ContainerConfig{}); err != nil {
			return err
		}
		if c.LogDriver == "syslog" {
			if c.Terminal {
				return errSyslogTerminal
			}
			if _, err := logsyslog.Parse(opts); err != nil {
				return err
			}
		}
		c.LogSizeMax, c.LogTag = sizeMax, tag
		c.LogOpts = maps.Clone(opts)
		return nil
	}
}

// errSyslogTerminal refuses -t with the syslog driver: its messages
// come from the container's stdout and stderr pipes, which a terminal
// replaces.
var errSyslogTerminal = fmt.Errorf("the syslog log driver cannot be used with a terminal (-t) in berth: %w", define.ErrInvalidArg)

// startSyslog starts the forwarder of a syslog-driver container's run
// and returns the stdout and stderr conmon hands the container. The
// tag is docker's default, the short ID, unless --log-opt tag= is set.
func (c *Container) startSyslog(tag string) (stdout, stderr *os.File, err error) {
	cfg, err := logsyslog.Parse(c.config.LogOpts)
	if err != nil {
		return nil, nil, fmt.Errorf("container %s: %w", c.config.Name, err)
	}
	if tag == "" {
		tag = c.config.ID[:min(12, len(c.config.ID))]
	}
	stdout, stderr, err = logsyslog.Start(cfg, tag)
	if err != nil {
		return nil, nil, fmt.Errorf("container %s: %w", c.config.Name, err)
	}
	return stdout, stderr, nil
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

// logTagData is what a --log-opt tag= template sees: docker's keys
// (FullID, ImageID and DaemonName besides) and podman's inspect names for
// the ID (the full one), image and labels.
type logTagData struct {
	ID, FullID, Name, Image, ImageName, ImageID, ImageFullID, DaemonName string
	Labels                                                               map[string]string
	Config                                                               struct{ Labels map[string]string }
}

// expandLogTag executes the tag template for cfg, as docker does when the
// container starts (a renamed container logs under its new name). A
// template that does not parse, or names a key there is not, is refused.
func expandLogTag(tag string, cfg *define.ContainerConfig) (string, error) {
	if tag == "" {
		return "", nil
	}
	t, err := template.New("tag").Option("missingkey=error").Parse(tag)
	if err != nil {
		return "", fmt.Errorf("--log-opt tag=%s: %v: %w", tag, err, define.ErrInvalidArg)
	}
	d := logTagData{ID: cfg.ID, FullID: cfg.ID, Name: cfg.Name, Image: cfg.ImageID, ImageName: cfg.ImageName,
		ImageID: cfg.ImageID[:min(12, len(cfg.ImageID))], ImageFullID: cfg.ImageID, DaemonName: "berth", Labels: cfg.Labels}
	d.Config.Labels = cfg.Labels
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return "", fmt.Errorf("--log-opt tag=%s: %v: %w", tag, err, define.ErrInvalidArg)
	}
	return b.String(), nil
}
