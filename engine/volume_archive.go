package engine

import (
	"errors"
	"io"

	"github.com/berth-dev/berth/internal/rootcopy"
)

// Export writes a tar archive of the volume's contents to w (`volume
// export`). The volume's files are written by containers, so they are
// read as a container root: symlinks in it never lead out of it.
func (v *Volume) Export(w io.Writer) error {
	return v.withContents(func(root *rootcopy.Root) error {
		return root.Tar(w, "/", ".")
	})
}

// Import extracts a tar archive into the volume (`volume import`), over
// what is there, every path resolved inside the volume.
func (v *Volume) Import(rd io.Reader) error {
	return v.withContents(func(root *rootcopy.Root) error {
		return root.Untar(rd, "/", rootcopy.UntarOptions{})
	})
}

// withContents runs fn on the volume's contents, mounted for the time it
// takes, with the volume locked so that it is not removed meanwhile.
func (v *Volume) withContents(fn func(*rootcopy.Root) error) (retErr error) {
	if err := v.lockSync(); err != nil {
		return err
	}
	defer v.lock.Unlock()
	if err := v.mountLocked(""); err != nil {
		return err
	}
	defer func() {
		if err := v.unmountLocked(""); err != nil {
			retErr = errors.Join(retErr, err)
		}
	}()
	root, err := rootcopy.Open(v.config.MountPoint)
	if err != nil {
		return err
	}
	defer root.Close()
	return fn(root)
}
