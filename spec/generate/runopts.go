package generate

import (
	"maps"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/profiles/seccomp"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/spec"
)

// proxyEnv are the host variables --http-proxy (podman's default) copies
// into the container.
var proxyEnv = []string{
	"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
	"ftp_proxy", "FTP_PROXY", "no_proxy", "NO_PROXY",
}

// zoneinfoDir is where --tz finds its zones, as in podman.
var zoneinfoDir = "/usr/share/zoneinfo"

// reworkDefaultEnv applies --env-merge, --unsetenv and --unsetenv-all to
// the default environment (berth's variables and the image's), in
// podman's order. HOSTNAME survives: podman adds it after them.
func reworkDefaultEnv(env *envList, s *spec.ContainerSpec) error {
	for _, e := range s.EnvMerge {
		word := expandEnv(e, env)
		k, v, ok := strings.Cut(word, "=")
		if !ok {
			return invalid("missing `=` for --env-merge substitution %s", e)
		}
		env.set(k, v)
	}
	for _, k := range s.UnsetEnv {
		env.unset(k)
	}
	if s.UnsetEnvAll {
		*env = envList{}
	}
	if s.Hostname != "" && (s.UnsetEnvAll || len(s.UnsetEnv) > 0) {
		if _, ok := env.vals["HOSTNAME"]; !ok {
			env.set("HOSTNAME", s.Hostname)
		}
	}
	return nil
}

// expandEnv expands $VAR, ${VAR}, ${VAR:-default} and ${VAR:+alternative}
// against env, the forms a Dockerfile word takes; unknown variables are
// empty.
func expandEnv(word string, env *envList) string {
	return os.Expand(word, func(name string) string {
		if k, def, ok := strings.Cut(name, ":-"); ok {
			if v := env.vals[k]; v != "" {
				return v
			}
			return def
		}
		if k, alt, ok := strings.Cut(name, ":+"); ok {
			if env.vals[k] != "" {
				return alt
			}
			return ""
		}
		return env.vals[name]
	})
}

// runOptions writes the process options of spec.RunOptions into g and the
// engine options: umask, domain name, time zone, the /etc files, run time
// limit and pid files. Annotations are applied last (annotate), over
// what the generator itself records there.
func runOptions(g *specs.Spec, s *spec.ContainerSpec, imgCfg v1.ImageConfig, add func(...engine.CtrOption)) error {
	if err := seccompPolicy(g, s, imgCfg); err != nil {
		return err
	}
	if s.Umask != nil {
		if *s.Umask > 0o777 {
			return invalid("invalid umask string %04o: must be between 0000 and 0777", *s.Umask)
		}
		u := *s.Umask
		g.Process.User.Umask = &u
	}
	if s.Domainname != "" {
		if err := spec.ValidateHostname(s.Domainname); err != nil {
			return invalid("--domainname %q: %v", s.Domainname, err)
		}
		if s.UTS != "" && s.UTS != "private" {
			return invalid("--domainname: cannot set the domain name of a shared UTS namespace (--uts %s)", s.UTS)
		}
		// runc before 1.2 ignores the spec's domainname; the UTS
		// sysctl sets it with any runtime.
		g.Domainname = s.Domainname
		if g.Linux.Sysctl == nil {
			g.Linux.Sysctl = map[string]string{}
		}
		if _, ok := g.Linux.Sysctl["kernel.domainname"]; !ok {
			g.Linux.Sysctl["kernel.domainname"] = s.Domainname
		}
	}
	if s.Timezone != "" {
		src, err := timezoneFile(s.Timezone)
		if err != nil {
			return err
		}
		g.Mounts = append(g.Mounts, specs.Mount{
			Destination: "/etc/localtime", Type: "bind", Source: src,
			Options: []string{"bind", "ro", "rprivate", "nosuid", "nodev", "noexec"},
		})
	}
	if s.Timeout > 0 {
		add(engine.WithTimeout(s.Timeout))
	}
	switch s.Personality {
	case "":
	case string(specs.PerLinux), string(specs.PerLinux32):
		g.Linux.Personality = &specs.LinuxPersonality{Domain: specs.LinuxPersonalityDomain(s.Personality)}
	default:
		return invalid("invalid --personality %q: must be LINUX or LINUX32", s.Personality)
	}
	if s.PasswdEntry != "" || s.GroupEntry != "" || len(s.HostUsers) > 0 || s.NoPasswd {
		add(engine.WithUserEntries(s.PasswdEntry, s.GroupEntry, s.HostUsers, s.NoPasswd))
	}
	if len(s.StorageOpts) > 0 {
		add(engine.WithStorageOpts(s.StorageOpts))
	}
	if s.PreserveFDs > 0 || len(s.PreserveFD) > 0 {
		add(engine.WithPreserveFDs(s.PreserveFDs, s.PreserveFD))
	}
	if s.HostsFile != "" || s.NoHostname {
		if s.HostsFile != "" && s.NoHosts {
			return invalid("--no-hosts and --hosts-file cannot be set together")
		}
		switch s.HostsFile {
		case "", "image", "none":
		default:
			if !filepath.IsAbs(s.HostsFile) {
				return invalid("--hosts-file %q: must be an absolute path, image or none", s.HostsFile)
			}
			st, err := os.Stat(s.HostsFile)
			if err != nil {
				return invalid("--hosts-file: %v", err)
			}
			if !st.Mode().IsRegular() {
				return invalid("--hosts-file %q: not a regular file", s.HostsFile)
			}
		}
		add(engine.WithEtcFiles(s.HostsFile, s.NoHostname))
	}
	if len(s.ChrootDirs) > 0 {
		dirs := make([]string, 0, len(s.ChrootDirs))
		for _, d := range s.ChrootDirs {
			if !filepath.IsAbs(d) {
				return invalid("--chrootdirs %q: must be an absolute path", d)
			}
			if d = filepath.Clean(d); d != "/" {
				dirs = append(dirs, d)
			}
		}
		add(engine.WithChrootDirs(dirs))
	}
	if len(s.Links) > 0 {
		add(engine.WithLinks(s.Links))
	}
	if s.PidFile != "" || s.ConmonPidFile != "" {
		add(engine.WithPidFiles(s.PidFile, s.ConmonPidFile))
	}
	return nil
}

// timezoneFile is the host file --tz mounts as /etc/localtime: the
// zone's file under zoneinfoDir, or with "local" the one the host's
// /etc/localtime resolves to.
func timezoneFile(tz string) (string, error) {
	if tz == "local" {
		p, err := filepath.EvalSymlinks("/etc/localtime")
		if err != nil {
			return "", invalid("finding timezone: %v", err)
		}
		return p, nil
	}
	if filepath.IsAbs(tz) || strings.Contains("/"+tz+"/", "/../") {
		return "", invalid("invalid timezone %q", tz)
	}
	p := filepath.Join(zoneinfoDir, tz)
	st, err := os.Stat(p)
	if err != nil {
		return "", invalid("finding timezone: %v", err)
	}
	if st.IsDir() {
		return "", invalid("invalid timezone: is a directory")
	}
	return p, nil
}

// annotate adds --annotation values to the spec's annotations.
func annotate(g *specs.Spec, s *spec.ContainerSpec) {
	if len(s.Annotations) == 0 {
		return
	}
	if g.Annotations == nil {
		g.Annotations = map[string]string{}
	}
	maps.Copy(g.Annotations, s.Annotations)
}

// seccompLabel is the image label --seccomp-policy=image takes the
// profile from (podman's).
const seccompLabel = "io.containers.seccomp.profile"

// seccompPolicy applies --seccomp-policy: with "image", a profile in the
// image's label replaces the filter chosen so far, unless the container
// has none (--privileged, seccomp=unconfined), as in podman.
func seccompPolicy(g *specs.Spec, s *spec.ContainerSpec, imgCfg v1.ImageConfig) error {
	switch s.SeccompPolicy {
	case "", "default":
		return nil
	case "image":
	default:
		return invalid("invalid seccomp policy %q: valid policies are [\"default\" \"image\"]", s.SeccompPolicy)
	}
	profile, ok := imgCfg.Labels[seccompLabel]
	if !ok || g.Linux.Seccomp == nil {
		return nil
	}
	prof, err := seccomp.LoadProfile(profile, g)
	if err != nil {
		return invalid("the image's seccomp profile (label %s): %v", seccompLabel, err)
	}
	g.Linux.Seccomp = prof
	return nil
}
