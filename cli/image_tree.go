package cli

import (
	"fmt"
	"strings"

	"github.com/berth-dev/berth/service"
	units "github.com/docker/go-units"
	"github.com/spf13/cobra"
)

// newImageTreeCommand is podman's `image tree`: an image's layers, bottom
// first, each marked with the tags of the images it is the top layer of;
// --whatrequires shows instead every layer built on the image.
func newImageTreeCommand(d *Deps) *cobra.Command {
	var whatRequires bool
	cmd := &cobra.Command{
		Use:   "tree [options] IMAGE",
		Short: "Print layer hierarchy of an image in a tree format",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			t, err := service.LayerTree(rt, args[0])
			if err != nil {
				return err
			}
			_, err = fmt.Fprint(cmd.OutOrStdout(), renderImageTree(t, whatRequires))
			return err
		},
	}
	cmd.Flags().BoolVar(&whatRequires, "whatrequires", false, "Show all child images and layers of the specified image")
	return cmd
}

// treeNode is a line of a tree drawn as podman draws it (├── └── │).
type treeNode struct {
	text  string
	items []*treeNode
}

func (n *treeNode) add(text string) *treeNode {
	c := &treeNode{text: text}
	n.items = append(n.items, c)
	return c
}

func (n *treeNode) String() string {
	var b strings.Builder
	b.WriteString(n.text + "\n")
	writeTreeItems(&b, n.items, "")
	return b.String()
}

func writeTreeItems(b *strings.Builder, items []*treeNode, prefix string) {
	for i, it := range items {
		last := i == len(items)-1
		first, more := "├── ", "│   "
		if last {
			first, more = "└── ", "    "
		}
		for j, line := range strings.Split(it.text, "\n") {
			if j == 0 {
				b.WriteString(prefix + first + line + "\n")
			} else {
				b.WriteString(prefix + more + line + "\n")
			}
		}
		writeTreeItems(b, it.items, prefix+more)
	}
}

func renderImageTree(t *service.ImageTree, children bool) string {
	header := fmt.Sprintf("Image ID: %s\nTags:     %s\nSize:     %v\n", t.ID[:12], t.Tags, units.HumanSizeWithPrecision(float64(t.Size), 4))
	if len(t.Layers) > 0 {
		header += "Image Layers"
	} else {
		header += "No Image Layers"
	}
	root := &treeNode{text: header}
	if children {
		if t.Top != nil {
			addLayerChildren(root, t.Top, true)
		}
		return root.String()
	}
	for _, l := range t.Layers {
		root.add(layerLine(l))
	}
	return root.String()
}

// addLayerChildren adds l under parent: in line when it has no siblings,
// as a branch of its own when it has.
func addLayerChildren(parent *treeNode, l *service.TreeLayer, alone bool) {
	next := parent
	if alone {
		parent.add(layerLine(l))
	} else {
		next = parent.add(layerLine(l))
	}
	for _, c := range l.Children {
		addLayerChildren(next, c, len(l.Children) <= 1)
	}
}

func layerLine(l *service.TreeLayer) string {
	tags := ""
	if len(l.Tags) > 0 {
		tags = fmt.Sprintf(" Top Layer of: %s", l.Tags)
	}
	return fmt.Sprintf("ID: %s Size: %7v%s", l.ID[:12], units.HumanSizeWithPrecision(float64(l.Size), 4), tags)
}
