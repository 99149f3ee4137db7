package engine

import (
	"fmt"
	"os"
	"path"
	"path/filepath"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/secrets"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Secrets returns the secret store under the graph root (podman's
// GRAPHROOT/secrets, so both tools share it).
func (r *Runtime) Secrets() *secrets.Manager {
	return secrets.NewManager(filepath.Join(r.cfg.GraphRoot, "secrets"))
}

// WithSecrets gives the container secrets (--secret), by name; their IDs
// are resolved when the container is created.
func WithSecrets(s []define.ContainerSecret) CtrOption {
	return func(c *define.ContainerConfig) error {
		for _, x := range s {
			if x.Type != define.SecretMount && x.Type != define.SecretEnv {
				return fmt.Errorf("secret %s: type %q must be mount or env: %w", x.Name, x.Type, define.ErrInvalidArg)
			}
		}
		c.Secrets = append([]define.ContainerSecret(nil), s...)
		return nil
	}
}

// resolveSecrets records the ID of each secret the config names, failing
// with podman's error when one does not exist.
func (r *Runtime) resolveSecrets(cfg *define.ContainerConfig) error {
	if len(cfg.Secrets) == 0 {
		return nil
	}
	m := r.Secrets()
	for i := range cfg.Secrets {
		s, err := m.Lookup(cfg.Secrets[i].Name)
		if err != nil {
			return err
		}
		cfg.Secrets[i].ID = s.ID
		cfg.Secrets[i].Name = s.Name
	}
	return nil
}

// secretTarget is where a mount secret appears: /run/secrets/NAME by
// default, a relative target under /run/secrets.
func secretTarget(s define.ContainerSecret) string {
	t := s.Target
	if t == "" {
		t = s.Name
	}
	if !path.IsAbs(t) {
		t = path.Join("/run/secrets", t)
	}
	return t
}

// addSecretsLocked reads each secret's current data and gives it to the
// container: a mount secret as a read-only bind of a file written in the
// bundle (a tmpfs under the run root, never the image's layer), an env
// secret as a variable.
// Preconditions: c.lock is held.
func (c *Container) addSecretsLocked(spec *specs.Spec, bundle string) error {
	if len(c.config.Secrets) == 0 {
		return nil
	}
	m := c.runtime.Secrets()
	dir := filepath.Join(bundle, "secrets")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for i, s := range c.config.Secrets {
		ref := s.ID
		if ref == "" {
			ref = s.Name
		}
		_, data, err := m.LookupData(ref)
		if err != nil {
			return fmt.Errorf("container %s: secret %s: %w", c.config.Name, s.Name, err)
		}
		if s.Type == define.SecretEnv {
			name := s.Target
			if name == "" {
				name = s.Name
			}
			spec.Process.Env = append(spec.Process.Env, name+"="+string(data))
			continue
		}
		mode := os.FileMode(s.Mode)
		if mode == 0 {
			mode = 0o444
		}
		// One file per --secret: the same secret may be given twice with
		// different owners or modes.
		src := filepath.Join(dir, fmt.Sprintf("%d-%s", i, s.ID))
		if err := os.WriteFile(src, data, 0o600); err != nil {
			return err
		}
		if err := os.Chown(src, int(s.UID), int(s.GID)); err != nil {
			return err
		}
		if err := os.Chmod(src, mode); err != nil {
			return err
		}
		spec.Mounts = append(spec.Mounts, specs.Mount{
			Destination: secretTarget(s), Type: "bind", Source: src,
			Options: []string{"bind", "ro", "rprivate", "nosuid", "noexec", "nodev"},
		})
	}
	return nil
}
