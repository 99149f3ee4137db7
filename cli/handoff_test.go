package cli

import (
	"strings"
	"testing"
)

// TestNeedsFull: exactly the commands that move images to or from
// somewhere are handed to berth-full by the lean build, wherever they sit
// in the tree, global flags before them or not.
func TestNeedsFull(t *testing.T) {
	for line, want := range map[string]bool{
		"pull busybox": true, "image pull busybox": true, "push a b": true, "image push a": true,
		"save -o x a": true, "image save a": true, "load -i x": true, "image load": true,
		"import x.tar": true, "image import x": true, "commit c i": true, "container commit c": true,
		"login r": true, "logout r": true, "manifest create l": true, "manifest push l d": true,
		"--root /r --runroot /rr pull busybox": true, "--log-level=debug image save a": true,
		"run --rm busybox true": false, "create busybox": false, "ps -a": false, "images": false,
		"image ls": false, "rmi a": false, "tag a b": false, "inspect a": false, "export c": false,
		"container cleanup x": false, "system reset": false, "version": false, "network ls": false,
		"--root /r ps": false,
	} {
		args := strings.Fields(line)
		root, _ := NewRoot(args)
		c, _, err := root.Find(args)
		if err != nil {
			t.Errorf("%q: %v", line, err)
			continue
		}
		if got := wantsFull(c); got != want {
			t.Errorf("%q (%s): needs berth-full = %v, want %v", line, c.CommandPath(), got, want)
		}
	}
}
