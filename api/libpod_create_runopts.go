package api

import (
	"fmt"
	"path/filepath"

	"github.com/berth-dev/berth/internal/specflag"
	"github.com/berth-dev/berth/spec"
)

// runOptionsFromSpecGenerator takes the SpecGenerator keys of
// spec.RunOptions: annotations, umask, the environment's reworking, the
// time zone, run time limit, conmon's pid file and the /etc files. It runs
// before podmanDefaults, which would otherwise account for the default
// umask and httpproxy values.
func runOptionsFromSpecGenerator(b body, s *spec.ContainerSpec) error {
	var umask string
	var unsetAll, imageHostname, managePasswd *bool
	var personality *struct {
		Domain string `json:"domain"`
	}
	for _, f := range []struct {
		key string
		v   any
	}{
		{"annotations", &s.Annotations}, {"umask", &umask}, {"unsetenv", &s.UnsetEnv},
		{"unsetenvall", &unsetAll}, {"envmerge", &s.EnvMerge}, {"httpproxy", &s.HTTPProxy},
		{"timezone", &s.Timezone}, {"timeout", &s.Timeout},
		{"conmon_pid_file", &s.ConmonPidFile}, {"base_hosts_file", &s.HostsFile},
		{"use_image_hostname", &imageHostname}, {"seccomp_policy", &s.SeccompPolicy},
		{"chroot_directories", &s.ChrootDirs}, {"personality", &personality},
		{"passwd_entry", &s.PasswdEntry}, {"group_entry", &s.GroupEntry}, {"hostusers", &s.HostUsers},
		{"manage_password", &managePasswd}, {"systemd", &s.Systemd},
		{"storage_opts", &s.StorageOpts}, {"shm_size_systemd", &s.ShmSizeSystemd},
	} {
		if err := b.take(f.key, f.v); err != nil {
			return err
		}
	}
	// podman's client puts the terminal flag here for CRI-O; berth
	// records the terminal itself.
	delete(s.Annotations, "io.kubernetes.cri-o.TTY")
	if len(s.Annotations) == 0 {
		s.Annotations = nil
	}
	if umask != "" {
		u, err := specflag.Umask(umask)
		if err != nil {
			return badRequest(err)
		}
		s.Umask = &u
	}
	if unsetAll != nil {
		s.UnsetEnvAll = *unsetAll
	}
	if s.Systemd == "true" {
		s.Systemd = "" // the default, which podman's client always sends
	}
	if personality != nil {
		s.Personality = personality.Domain
	}
	if managePasswd != nil {
		s.NoPasswd = !*managePasswd
	}
	if imageHostname != nil {
		s.NoHostname = *imageHostname
	}
	if s.ConmonPidFile != "" && !filepath.IsAbs(s.ConmonPidFile) {
		return badRequest(fmt.Errorf("conmon_pid_file %q: must be an absolute path", s.ConmonPidFile))
	}
	return nil
}
