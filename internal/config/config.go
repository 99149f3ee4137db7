// Package config reads containers.conf (TOML) from the usual places, the
// way the rest of the containers ecosystem does, so one file configures
// podman and berth alike.
package config

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/BurntSushi/toml"
)

// Config is the subset of containers.conf that berth honours.
type Config struct {
	Containers struct {
		InitPath       string   `toml:"init_path"`
		LogDriver      string   `toml:"log_driver"`
		ShmSize        string   `toml:"shm_size"`
		PidsLimit      int64    `toml:"pids_limit"`
		DefaultUlimits []string `toml:"default_ulimits"`
		Env            []string `toml:"env"`
		Init           bool     `toml:"init"`
	} `toml:"containers"`
	Engine struct {
		Runtime           string              `toml:"runtime"`
		CgroupManager     string              `toml:"cgroup_manager"`
		ConmonPath        []string            `toml:"conmon_path"`
		EventsLogger      string              `toml:"events_logger"`
		EventsLogFilePath string              `toml:"events_logfile_path"`
		DetachKeys        string              `toml:"detach_keys"`
		StopTimeout       uint                `toml:"stop_timeout"`
		OCIRuntimes       map[string][]string `toml:"runtimes"`
		StaticDir         string              `toml:"static_dir"`
		TmpDir            string              `toml:"tmp_dir"`
		VolumePath        string              `toml:"volume_path"`
		HooksDir          []string            `toml:"hooks_dir"`
	} `toml:"engine"`
	Network struct {
		NetworkConfigDir string `toml:"network_config_dir"`
	} `toml:"network"`
}

// Files lists the containers.conf files read, lowest priority first:
// /usr/share and /etc (each followed by its .d drop-ins), or only
// $CONTAINERS_CONF when set; $CONTAINERS_CONF_OVERRIDE always comes last
// and wins, as in containers/common.
func Files() []string {
	var files []string
	if p := os.Getenv("CONTAINERS_CONF"); p != "" {
		files = []string{p}
	} else {
		for _, p := range []string{"/usr/share/containers/containers.conf", "/etc/containers/containers.conf"} {
			files = append(files, p)
			if d, err := filepath.Glob(p + ".d/*.conf"); err == nil {
				files = append(files, d...)
			}
		}
	}
	if p := os.Getenv("CONTAINERS_CONF_OVERRIDE"); p != "" {
		files = append(files, p)
	}
	return files
}

// Load reads every file in Files that exists; later files override
// earlier ones field by field.
func Load() (*Config, error) {
	c := &Config{}
	for _, f := range Files() {
		data, err := os.ReadFile(f)
		if err != nil {
			explicit := f == os.Getenv("CONTAINERS_CONF") || f == os.Getenv("CONTAINERS_CONF_OVERRIDE")
			if os.IsNotExist(err) && !explicit {
				continue
			}
			return nil, fmt.Errorf("reading %s: %w", f, err)
		}
		if _, err := toml.Decode(blankComments(data), c); err != nil {
			return nil, fmt.Errorf("parsing %s: %w", f, err)
		}
	}
	return c, nil
}

// blankComments empties the lines that are only a comment, keeping the line
// count for error messages. Distributions ship containers.conf as hundreds
// of commented-out lines, and every command reads it: the TOML lexer is
// far slower on them than this scan. A file with multi-line strings, in
// which a line may start with '#' and not be a comment, is left alone.
func blankComments(data []byte) string {
	if bytes.Contains(data, []byte("\"\"\"")) || bytes.Contains(data, []byte("'''")) {
		return string(data)
	}
	out := make([]byte, 0, len(data)/4)
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i+1], data[i+1:]
		} else {
			data = nil
		}
		if t := bytes.TrimLeft(line, " \t"); len(t) > 0 && t[0] == '#' {
			out = append(out, '\n')
			continue
		}
		out = append(out, line...)
	}
	return string(out)
}
