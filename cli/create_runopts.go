package cli

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/internal/specflag"
	"github.com/berth-dev/berth/service"
	"github.com/berth-dev/berth/spec"
	"github.com/docker/go-units"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// runOptFlags are podman's create/run flags that shape the process and
// its files (spec.RunOptions), plus --replace and --label-file.
type runOptFlags struct {
	annotations            []string
	labelFiles             []string
	umask                  string
	pidFile                string
	conmonPid              string
	replace                bool
	passwd                 bool
	storageOpts            []string
	volumeDriver, rdtClass string
	// shmSizeSystemd is --shm-size-systemd, a size in docker's units.
	shmSizeSystemd string
	// gpus and decryptionKeys are refused: berth has no CDI devices and
	// no image decryption.
	gpus           []string
	decryptionKeys []string
}

func bindRunOptFlags(f *pflag.FlagSet, o *createFlags) {
	r, s := &o.run, &o.s.RunOptions
	f.StringArrayVar(&r.annotations, "annotation", nil, "add annotations to container (key=value)")
	f.StringArrayVar(&r.labelFiles, "label-file", nil, "read in a line delimited file of labels")
	f.StringVar(&r.umask, "umask", "0022", "set umask in container")
	f.StringArrayVar(&s.UnsetEnv, "unsetenv", nil, "unset environment default variables in container")
	f.BoolVar(&s.UnsetEnvAll, "unsetenv-all", false, "unset all default environment variables in container")
	f.StringArrayVar(&s.EnvMerge, "env-merge", nil, "preprocess environment variables from image before injecting them into the container")
	f.BoolVar(&s.HTTPProxy, "http-proxy", true, "set proxy environment variables in the container based on the host proxy vars")
	f.StringVar(&s.Timezone, "tz", "", "set timezone in container")
	f.StringVar(&s.Domainname, "domainname", "", "container NIS domain name")
	f.UintVar(&s.Timeout, "timeout", 0, "maximum length of time a container is allowed to run. The container will be killed automatically after the time expires.")
	f.StringVar(&r.pidFile, "pidfile", "", "write the container process ID to the file")
	f.StringVar(&r.conmonPid, "conmon-pidfile", "", "path to the file that will receive the PID of conmon")
	f.StringVar(&s.HostsFile, "hosts-file", "", "base file to create the /etc/hosts file inside the container, or one of the special values. (\"image\"|\"none\")")
	f.BoolVar(&s.NoHostname, "no-hostname", false, "do not create /etc/hostname within the container, use the one from the image")
	f.StringArrayVar(&s.Links, "link", nil, "add link to another container (NAME[:ALIAS]): its addresses in /etc/hosts")
	f.StringVar(&s.SeccompPolicy, "seccomp-policy", "default", "policy for selecting a seccomp profile (experimental)")
	f.StringSliceVar(&s.ChrootDirs, "chrootdirs", nil, "chroot directories inside the container (comma-separated): they get the generated /etc files too")
	f.UintVar(&s.PreserveFDs, "preserve-fds", 0, "pass a number of additional file descriptors into the container")
	f.UintSliceVar(&s.PreserveFD, "preserve-fd", nil, "pass a list of additional file descriptors to the container")
	f.StringVar(&s.Personality, "personality", "", "configure execution domain using personality (e.g., LINUX/LINUX32)")
	f.StringVar(&s.PasswdEntry, "passwd-entry", "", "entry to write to /etc/passwd")
	f.StringVar(&s.GroupEntry, "group-entry", "", "entry to write to /etc/group")
	f.StringSliceVar(&s.HostUsers, "hostuser", nil, "host user account to add to /etc/passwd within container")
	f.BoolVar(&r.passwd, "passwd", true, "add entries to /etc/passwd and /etc/group")
	f.StringVar(&s.Systemd, "systemd", "true", `run container in systemd mode ("true"|"false"|"always")`)
	// A local --storage-opt shadows the global one after the verb, as in
	// podman: `berth --storage-opt X run` still sets the driver's.
	f.StringArrayVar(&r.storageOpts, "storage-opt", nil, "storage driver options per container (e.g. size=10G)")
	f.StringVar(&r.shmSizeSystemd, "shm-size-systemd", "", "size of systemd specific tmpfs mounts (/run, /run/lock, /tmp, /var/lib/journal)")
	f.StringVar(&r.volumeDriver, "volume-driver", "", "volume driver for the container's named and anonymous volumes (only local)")
	f.StringVar(&r.rdtClass, "rdt-class", "", "class of service for the container's L3 cache (refused: berth has no Intel RDT support)")
	// podman documents it as a no-op kept for docker scripts: berth, like
	// podman, verifies signatures by policy.json, not by Docker Content Trust.
	f.Bool("disable-content-trust", true, "no-op, for docker compatibility (signatures follow policy.json)")
	f.BoolVar(&r.replace, "replace", false, "if a container with the same name exists, replace it")
	f.StringArrayVar(&r.gpus, "gpus", nil, "GPU devices to add to the container (refused: berth has no CDI support; use --device)")
	f.StringArrayVar(&r.decryptionKeys, "decryption-key", nil, "key needed to decrypt the image (refused: berth cannot decrypt images)")
}

// apply parses the flags into s. labels are the -l values, which
// override the --label-file ones.
func (r *runOptFlags) apply(f *pflag.FlagSet, s *spec.ContainerSpec, labels []string) error {
	if len(r.gpus) > 0 {
		return usageError("--gpus is not supported by berth (no CDI devices): add the device nodes with --device")
	}
	if len(r.decryptionKeys) > 0 {
		return usageError("--decryption-key is not supported by berth: encrypted images cannot be pulled or run")
	}
	var err error
	if s.Labels, err = specflag.LabelFiles(r.labelFiles, labels); err != nil {
		return err
	}
	if s.Annotations, err = specflag.Annotations(r.annotations); err != nil {
		return err
	}
	if f.Changed("umask") {
		u, err := specflag.Umask(r.umask)
		if err != nil {
			return err
		}
		s.Umask = &u
	}
	for _, p := range []struct {
		in  string
		out *string
	}{{r.pidFile, &s.PidFile}, {r.conmonPid, &s.ConmonPidFile}} {
		if p.in == "" {
			continue
		}
		if *p.out, err = filepath.Abs(p.in); err != nil {
			return err
		}
	}
	if h := s.HostsFile; h != "" && h != "image" && h != "none" {
		if s.HostsFile, err = filepath.Abs(h); err != nil {
			return err
		}
	}
	s.NoPasswd = !r.passwd
	if r.volumeDriver != "" && r.volumeDriver != "local" {
		return usageError("--volume-driver %q: berth has only the local volume driver", r.volumeDriver)
	}
	if r.rdtClass != "" {
		return usageError("--rdt-class is not supported by berth: no Intel RDT (resctrl) support")
	}
	if r.shmSizeSystemd != "" {
		n, err := units.RAMInBytes(r.shmSizeSystemd)
		if err != nil || n <= 0 {
			return usageError("invalid --shm-size-systemd %q: must be a positive size such as 64m", r.shmSizeSystemd)
		}
		s.ShmSizeSystemd = n
	}
	for _, o := range r.storageOpts {
		k, v, ok := strings.Cut(o, "=")
		if !ok || k == "" {
			return usageError("invalid --storage-opt %q: must be KEY=VALUE", o)
		}
		if s.StorageOpts == nil {
			s.StorageOpts = map[string]string{}
		}
		s.StorageOpts[k] = v
	}
	if r.replace && s.Name == "" {
		return usageError("cannot replace container without --name being set")
	}
	return nil
}

// replaceExisting is --replace: the container of that name, if any, is
// stopped and removed first (podman's `rm --force --ignore`).
func (o *createFlags) replaceExisting(cmd *cobra.Command, d *Deps) error {
	if !o.run.replace {
		return nil
	}
	e, err := d.Engine(cmd.Context())
	if err != nil {
		return err
	}
	reports, err := e.Remove(cmd.Context(), []string{o.s.Name}, service.RemoveOptions{Force: true, Selection: service.Selection{Ignore: true}})
	if err != nil {
		return err
	}
	for _, r := range reports {
		if r.Err != nil {
			return r.Err
		}
	}
	return nil
}

// removeImageAfterRun is run --rmi: the image goes once the container is
// gone, unless another container uses it; a failure is only a warning.
func removeImageAfterRun(cmd *cobra.Command, d *Deps, image string) {
	e, err := d.Engine(cmd.Context())
	if err == nil {
		_, err = e.RemoveImage(cmd.Context(), image, false)
	}
	if err != nil && !isNotFound(err) {
		fmt.Fprintf(cmd.ErrOrStderr(), "WARN[0000] Failed removing image %s: %v\n", image, err)
	}
}
