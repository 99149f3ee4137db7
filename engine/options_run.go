package engine

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/berth-dev/berth/engine/define"
)

// WithTimeout has conmon kill the container after secs seconds of running
// (--timeout).
func WithTimeout(secs uint) CtrOption {
	return func(c *define.ContainerConfig) error {
		c.Timeout = secs
		return nil
	}
}

// WithPidFiles writes the container's PID to pidFile and conmon's to
// conmonPidFile at each start; "" writes none. The paths must be absolute
// (the CLI makes them so).
func WithPidFiles(pidFile, conmonPidFile string) CtrOption {
	return func(c *define.ContainerConfig) error {
		for _, p := range []string{pidFile, conmonPidFile} {
			if p != "" && !filepath.IsAbs(p) {
				return fmt.Errorf("pid file %q: must be an absolute path: %w", p, define.ErrInvalidArg)
			}
		}
		c.PidFile, c.ConmonPidFile = pidFile, conmonPidFile
		return nil
	}
}

// WithEtcFiles sets the base of the generated /etc/hosts ("", "image",
// "none" or an absolute host path) and whether /etc/hostname is left
// alone.
func WithEtcFiles(hostsFile string, noHostname bool) CtrOption {
	return func(c *define.ContainerConfig) error {
		switch {
		case hostsFile == "", hostsFile == "image", hostsFile == "none", filepath.IsAbs(hostsFile):
		default:
			return fmt.Errorf("--hosts-file %q: must be an absolute path, image or none: %w", hostsFile, define.ErrInvalidArg)
		}
		c.HostsFile, c.NoHostname = hostsFile, noHostname
		return nil
	}
}

// WithLinks records docker's legacy links, "ID:ALIAS" each.
func WithLinks(links []string) CtrOption {
	return func(c *define.ContainerConfig) error {
		c.Links = links
		return nil
	}
}

// WithChrootDirs mounts the generated /etc files below each of dirs too.
func WithChrootDirs(dirs []string) CtrOption {
	return func(c *define.ContainerConfig) error {
		for _, d := range dirs {
			if !filepath.IsAbs(d) {
				return fmt.Errorf("--chrootdirs %q: must be an absolute path: %w", d, define.ErrInvalidArg)
			}
		}
		c.ChrootDirs = dirs
		return nil
	}
}

// WithPreserveFDs passes file descriptors of the process that starts the
// container into it: 3 to 3+n-1, and each of fds (--preserve-fds,
// --preserve-fd). 0, 1 and 2 are the container's stdio, not passed so.
func WithPreserveFDs(n uint, fds []uint) CtrOption {
	return func(c *define.ContainerConfig) error {
		for _, fd := range fds {
			if fd < 3 {
				return fmt.Errorf("cannot preserve FD %d, consider using the passthrough log-driver to pass STDIO streams into the container: %w", fd, define.ErrInvalidArg)
			}
		}
		c.PreserveFDs, c.PreserveFD = n, fds
		return nil
	}
}

// WithUserEntries sets what berth adds to the container's /etc/passwd and
// /etc/group at each start: host accounts (hostUsers), and a line for a
// numeric --user without one, from the passwdEntry and groupEntry
// templates when given. noPasswd adds nothing.
func WithUserEntries(passwdEntry, groupEntry string, hostUsers []string, noPasswd bool) CtrOption {
	return func(c *define.ContainerConfig) error {
		c.PasswdEntry, c.GroupEntry, c.HostUsers, c.NoPasswd = passwdEntry, groupEntry, hostUsers, noPasswd
		return nil
	}
}

// WithStorageOpts sets per-container storage driver options (KEY=VALUE
// parsed); the driver refuses those it cannot apply when the rootfs is
// created.
func WithStorageOpts(opts map[string]string) CtrOption {
	return func(c *define.ContainerConfig) error {
		if c.Rootfs != "" && len(opts) > 0 {
			return fmt.Errorf("--storage-opt cannot be used with --rootfs: %w", define.ErrInvalidArg)
		}
		c.StorageOpts = opts
		return nil
	}
}

// WithAttachStreams records the streams of create/run -a (stdin, stdout,
// stderr) for inspect.
func WithAttachStreams(streams []string) CtrOption {
	return func(c *define.ContainerConfig) error {
		for _, s := range streams {
			if s != "stdin" && s != "stdout" && s != "stderr" {
				return fmt.Errorf("invalid stream %q for --attach: must be stdin, stdout or stderr: %w", s, define.ErrInvalidArg)
			}
		}
		c.Attach = slices.Clone(streams)
		return nil
	}
}
