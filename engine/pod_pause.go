package engine

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// PauseBinary is where the pause process sits in an infra container's
// root.
const PauseBinary = "/catatonit"

// PauseRootfs returns the root every infra container runs from: a
// directory holding only a copy of catatonit (run as `catatonit -P`, its
// pause mode) and the mount points the runtime needs, so a pod needs no
// image pull. It is made once per graph root, atomically: a half-made one
// is never seen by a concurrent pod create.
func (r *Runtime) PauseRootfs(catatonit string) (string, error) {
	dir := filepath.Join(r.cfg.GraphRoot, "berth", "pause")
	root := filepath.Join(dir, "rootfs")
	if _, err := os.Stat(filepath.Join(root, PauseBinary)); err == nil {
		return root, ensureMountTargets(root)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(dir, "rootfs-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", err
	}
	for _, d := range []string{"proc", "sys", "dev", "etc", "run", "tmp"} {
		if err := os.Mkdir(filepath.Join(tmp, d), 0o755); err != nil {
			return "", err
		}
	}
	for _, f := range []string{"etc/hosts", "etc/resolv.conf", "etc/hostname", "etc/passwd", "etc/group", "run/.containerenv"} {
		content := ""
		switch f {
		case "etc/passwd":
			content = "root:x:0:0:root:/:/catatonit\n"
		case "etc/group":
			content = "root:x:0:\n"
		}
		if err := os.WriteFile(filepath.Join(tmp, f), []byte(content), 0o644); err != nil {
			return "", err
		}
	}
	if err := copyExecutable(catatonit, filepath.Join(tmp, PauseBinary)); err != nil {
		return "", fmt.Errorf("pause rootfs: %w", err)
	}
	if err := os.Rename(tmp, root); err != nil {
		if _, statErr := os.Stat(filepath.Join(root, PauseBinary)); statErr == nil {
			return root, nil // another process made it first
		}
		return "", fmt.Errorf("pause rootfs: %w", err)
	}
	return root, nil
}

// ensureMountTargets adds the files runc mounts over to a pause root made
// before they were listed: an infra container in a user namespace cannot
// create them, its root being an unprivileged ID on the host's files.
func ensureMountTargets(root string) error {
	f := filepath.Join(root, "run", ".containerenv")
	if _, err := os.Lstat(f); err == nil || !os.IsNotExist(err) {
		return err
	}
	if err := os.WriteFile(f, nil, 0o644); err != nil && !os.IsExist(err) {
		return fmt.Errorf("pause rootfs: %w", err)
	}
	return nil
}

func copyExecutable(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
