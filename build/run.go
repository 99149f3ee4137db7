package build

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/image"
	"github.com/berth-dev/berth/internal/rootcopy"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// runMountPoints are the files berth bind-mounts into every container;
// the runtime leaves empty files behind as their mount points.
var runMountPoints = []string{"etc/hosts", "etc/hostname", "etc/resolv.conf", "run/.containerenv"}

// run executes RUN in a container on the current image and commits its
// changes.
func (b *builder) run(ctx context.Context, s *stageState, c *instructions.RunCommand) error {
	if s.img == nil {
		return errors.New("RUN needs a base image with a shell: this stage is FROM scratch with no files")
	}
	argv, createdBy, script, err := runArgv(s, c)
	if err != nil {
		return err
	}
	step := RunStep{Image: s.img.ID, Argv: argv, WorkDir: s.cfg.WorkingDir, User: s.cfg.User,
		Network: b.opts.Network, Stdout: b.out, Stderr: b.out,
		Volumes: append([]string(nil), b.opts.Volumes...),
		Keep:    b.opts.KeepContainers, KeepFailed: b.opts.KeepFailed}
	if script != nil {
		dir, err := os.MkdirTemp("", "berth-build-script-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		host := filepath.Join(dir, "script")
		if err := os.WriteFile(host, []byte(script.Data), 0o755); err != nil {
			return err
		}
		// /dev is the container's tmpfs: the script is not committed.
		step.Volumes = append(step.Volumes, host+":"+script.Name+":ro")
	}
	flags, secretEnv, cleanup, err := b.runFlags(ctx, c, &step)
	defer cleanup()
	if err != nil {
		return err
	}
	if flags != "" {
		createdBy = flags + " " + createdBy
	}
	step.Env = s.args.env(s.cfg.Env)
	if len(step.Env) > 0 {
		// The arguments in scope are part of the step, as docker and
		// buildah record them: a changed --build-arg runs it again.
		createdBy = "|" + strconv.Itoa(len(step.Env)) + " " + strings.Join(step.Env, " ") + " " + createdBy
	}
	if b.useCache(ctx, s, createdBy) {
		return nil
	}
	// Secrets (and the ssh agent's socket) reach the command but not the
	// history, nor the cache key.
	for _, e := range secretEnv {
		if strings.HasPrefix(e, "SSH_AUTH_SOCK=") {
			// The agent's socket, unless the stage sets its own (buildkit).
			if _, ok := lookupEnv(step.Env, "SSH_AUTH_SOCK"); ok {
				continue
			}
			if _, ok := lookupEnv(s.cfg.Env, "SSH_AUTH_SOCK"); ok {
				continue
			}
		}
		step.Env = append(step.Env, e)
	}
	step.Commit = image.CommitOptions{Config: &s.cfg.ImageConfig, ConfigExt: &s.cfg.DockerOCIImageConfigExt,
		CreatedBy: createdBy, Author: s.author, Format: b.opts.Format, DropEmptyFiles: append(step.dropFiles, runMountPoints...)}
	img, err := b.runner.Run(ctx, step)
	if err != nil {
		return err
	}
	b.committed(s, img)
	return nil
}

// runArgv is RUN's command and its history text. The shell form runs in
// SHELL; a heredoc is handed to the shell with the command line (the
// shell reads heredocs itself), or is the script when it is the whole
// command line (RUN <<EOF; <<-EOF strips leading tabs). Such a script
// that starts with #! is run as a file (script: mounted at its Name), so
// its interpreter runs it, as buildkit does. Variables in heredocs are
// the shell's to expand, from the environment the step runs with.
func runArgv(s *stageState, c *instructions.RunCommand) (argv []string, createdBy string, script *instructions.ShellInlineFile, err error) {
	if !c.PrependShell {
		if len(c.Files) > 0 {
			return nil, "", nil, errors.New("heredocs need the shell form of RUN")
		}
		return c.CmdLine, "/bin/sh -c #(nop) RUN " + jsonList(c.CmdLine), nil, nil
	}
	sh := s.shell()
	cmdline := strings.Join(c.CmdLine, " ")
	run := cmdline
	if len(c.Files) > 0 {
		if len(c.Files) == 1 && isHeredocOnly(cmdline, c.Files[0].Name) {
			data := c.Files[0].Data
			if c.Files[0].Chomp {
				data = parser.ChompHeredocContent(data)
			}
			cmdline, run = data, data
			if strings.HasPrefix(data, "#!") {
				script = &instructions.ShellInlineFile{Name: "/dev/pipes/" + c.Files[0].Name, Data: data}
				run = script.Name
			}
		} else {
			for _, f := range c.Files {
				data := f.Data
				if !strings.HasSuffix(data, "\n") {
					data += "\n"
				}
				cmdline += "\n" + data + f.Name
			}
			run = cmdline
		}
	}
	argv = append(append([]string(nil), sh...), run)
	return argv, strings.Join(sh, " ") + " " + cmdline, script, nil
}

// isHeredocOnly reports whether a command line is nothing but a heredoc
// marker (<<EOF, <<-EOF, <<"EOF", <<'EOF').
func isHeredocOnly(cmdline, name string) bool {
	t := strings.TrimSpace(cmdline)
	t = strings.TrimPrefix(t, "<<")
	t = strings.TrimPrefix(t, "-")
	t = strings.Trim(t, `"'`)
	return t == name
}

// runFlags applies RUN's flags to step: --network, and --mount of type
// cache (a directory kept across builds under the graph root), bind (from
// the context, read-only unless rw, or from a stage or image) and tmpfs.
// It returns how the flags are recorded in the step's history and what
// to release after the step.
func (b *builder) runFlags(ctx context.Context, c *instructions.RunCommand, step *RunStep) (string, []string, func(), error) {
	var release []func()
	cleanup := func() {
		for _, f := range release {
			f()
		}
	}
	var rec, secretEnv []string
	sshMounts, sockSet := 0, false
	for _, fl := range c.FlagsUsed {
		switch fl {
		case "mount", "network":
		default:
			return "", nil, cleanup, fmt.Errorf("RUN --%s is not supported yet", fl)
		}
	}
	if n := instructions.GetNetwork(c); n != "" && n != instructions.NetworkDefault {
		step.Network = n
		rec = append(rec, "--network="+n)
	}
	for _, m := range instructions.GetMounts(c) {
		target := m.Target
		if !path.IsAbs(target) {
			target = path.Join(orRoot(step.WorkDir), target)
		}
		switch m.Type {
		case instructions.MountTypeCache:
			id := m.CacheID
			if id == "" {
				id = target
			}
			dir, err := b.cacheDir(id, m)
			if err != nil {
				return "", nil, cleanup, err
			}
			step.Volumes = append(step.Volumes, dir+":"+target)
			rec = append(rec, "--mount=type=cache,id="+id+",target="+target)
		case instructions.MountTypeTmpfs:
			step.Tmpfs = append(step.Tmpfs, target)
			rec = append(rec, "--mount=type=tmpfs,target="+target)
		case instructions.MountTypeBind:
			src, digest, done, err := b.bindSource(ctx, m)
			release = append(release, done)
			if err != nil {
				return "", nil, cleanup, err
			}
			opt := ":ro"
			if !m.ReadOnly {
				// rw: writes land in a scratch overlay thrown away with
				// the container (docker's semantics), never in the source.
				opt = ":O"
			}
			step.Volumes = append(step.Volumes, src+":"+target+opt)
			rec = append(rec, "--mount=type=bind,from="+m.From+",source="+m.Source+",target="+target+",content="+digest)
		case instructions.MountTypeSSH:
			sock, r, stop, err := b.sshMount(m, step, sshMounts)
			release = append(release, stop)
			if err != nil {
				return "", nil, cleanup, err
			}
			rec = append(rec, r)
			if sock != "" && !sockSet {
				// For this step only, and not in the cache key.
				secretEnv = append(secretEnv, "SSH_AUTH_SOCK="+sock)
				sockSet = true
			}
			sshMounts++
		case instructions.MountTypeSecret:
			env, err := b.secretMount(m, step)
			if err != nil {
				return "", nil, cleanup, err
			}
			secretEnv = append(secretEnv, env...)
		default:
			return "", nil, cleanup, fmt.Errorf("RUN --mount=type=%s is not supported yet", m.Type)
		}
	}
	return strings.Join(rec, " "), secretEnv, cleanup, nil
}

// secretMount mounts a --secret file read-only (at /run/secrets/ID by
// default) or, with env=, hands its content to the command as a variable.
// An unknown secret is skipped unless required.
func (b *builder) secretMount(m *instructions.Mount, step *RunStep) ([]string, error) {
	id := m.CacheID
	if id == "" {
		id = path.Base(orDot(m.Target))
		if m.Source != "" {
			id = path.Base(m.Source)
		}
	}
	src, ok := b.opts.Secrets[id]
	if !ok {
		if m.Required {
			return nil, fmt.Errorf("secret %s is required but was not given (--secret id=%s,src=FILE)", id, id)
		}
		return nil, nil
	}
	if m.Env != nil && m.Target == "" {
		data, err := os.ReadFile(src)
		if err != nil {
			return nil, fmt.Errorf("secret %s: %w", id, err)
		}
		return []string{*m.Env + "=" + string(data)}, nil
	}
	target := m.Target
	if target == "" {
		target = "/run/secrets/" + id
	}
	step.Volumes = append(step.Volumes, src+":"+target+":ro")
	// The runtime's mount point stays behind empty: not part of the layer.
	step.dropFiles = append(step.dropFiles, strings.TrimPrefix(path.Clean(target), "/"))
	return nil, nil
}

// cacheDir is the host directory of a cache mount, created on first use
// with the mount's mode and owner. It lives under the graph root, so it
// persists across builds (and goes with `system reset`).
func (b *builder) cacheDir(id string, m *instructions.Mount) (string, error) {
	sum := sha256.Sum256([]byte(id))
	dir := filepath.Join(b.rt.Config().GraphRoot, "berth", "build-cache", hex.EncodeToString(sum[:16]))
	if _, err := os.Stat(dir); err == nil {
		return dir, nil
	}
	mode := os.FileMode(0o755)
	if m.Mode != nil {
		mode = os.FileMode(*m.Mode & 0o7777)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("cache mount %s: %w", id, err)
	}
	if err := os.Chmod(dir, mode); err != nil {
		return "", fmt.Errorf("cache mount %s: %w", id, err)
	}
	if m.UID != nil || m.GID != nil {
		uid, gid := 0, 0
		if m.UID != nil {
			uid = int(*m.UID)
		}
		if m.GID != nil {
			gid = int(*m.GID)
		}
		if err := os.Chown(dir, uid, gid); err != nil {
			return "", fmt.Errorf("cache mount %s: %w", id, err)
		}
	}
	return dir, nil
}

// bindSource resolves a bind mount's source to a host path: in the
// context, or inside a mounted working container of a stage or image
// (resolved in its root, so a symlink cannot lead out of it). digest
// identifies the content for the cache.
func (b *builder) bindSource(ctx context.Context, m *instructions.Mount) (src, digest string, done func(), err error) {
	done = func() {}
	if dir, ok := b.contextDirNamed(m.From); ok {
		m2 := *m
		m2.From = ""
		return b.forContext(dir).bindSource(ctx, &m2)
	}
	if m.From == "" {
		srcs, err := b.contextSources(copyRequest{kind: "RUN --mount", SourcesAndDest: instructions.SourcesAndDest{SourcePaths: []string{orDot(m.Source)}}})
		if err != nil {
			return "", "", done, err
		}
		if digest, err = hashSources(srcs); err != nil {
			return "", "", done, err
		}
		return srcs[0].entries[0].host, digest, done, nil
	}
	img, err := b.fromImage(ctx, m.From)
	if err != nil {
		return "", "", done, err
	}
	id := ""
	if img != nil {
		id = img.ID
	}
	w, err := b.images.NewWorkingContainer(id)
	if err != nil {
		return "", "", done, err
	}
	done = func() { _ = b.images.RemoveWorkingContainer(w) }
	root, err := rootcopy.Open(w.Rootfs)
	if err != nil {
		return "", "", done, err
	}
	defer root.Close()
	in, err := root.Resolve(path.Clean("/" + m.Source))
	if err != nil {
		return "", "", done, fmt.Errorf("--mount from %s: %s: %w", m.From, m.Source, err)
	}
	return filepath.Join(w.Rootfs, in), "image:" + id + ":" + m.Source, done, nil
}

func orDot(p string) string {
	if p == "" {
		return "."
	}
	return p
}

// PruneCache removes the directories of RUN --mount=type=cache.
func PruneCache(rt *engine.Runtime) error {
	dir := filepath.Join(rt.Config().GraphRoot, "berth", "build-cache")
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("removing the build cache: %w", err)
	}
	return nil
}

// squashAll replaces the stage's image with one of a single layer that
// holds its whole root (copied inside both roots, owners and modes kept)
// and its config, for --squash-all.
func (b *builder) squashAll(ctx context.Context, s *stageState) (retErr error) {
	src, err := b.images.NewWorkingContainer(s.img.ID)
	if err != nil {
		return err
	}
	defer func() { _ = b.images.RemoveWorkingContainer(src) }()
	srcRoot, err := rootcopy.Open(src.Rootfs)
	if err != nil {
		return err
	}
	defer srcRoot.Close()
	s.img = nil
	return b.withWorking(ctx, s, "/bin/sh -c #(nop) squash", func(w *image.WorkingContainer) (bool, error) {
		dst, err := rootcopy.Open(w.Rootfs)
		if err != nil {
			return false, err
		}
		defer dst.Close()
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(srcRoot.Tar(pw, "/", "")) }()
		err = dst.Untar(pr, "/", rootcopy.UntarOptions{})
		pr.CloseWithError(io.ErrClosedPipe)
		return true, err
	})
}

// squash replaces the stage's image with its base's layers plus one layer
// of everything the stage added (--squash); a scratch stage becomes one
// layer, as with --squash-all.
func (b *builder) squash(ctx context.Context, s *stageState, base *define.Image) error {
	if base == nil {
		return b.squashAll(ctx, s)
	}
	if len(s.img.Layers) <= len(base.Layers)+1 {
		return nil // at most one new layer: nothing to squash
	}
	img, err := b.images.CommitSquashed(ctx, image.SquashCommit{Base: base.ID, Top: s.img.ID,
		CreatedBy: "/bin/sh -c #(nop) squash", Format: b.opts.Format})
	if err != nil {
		return err
	}
	b.committed(s, img)
	return nil
}
