package cli

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/berth-dev/berth/cli/format"
)

// checkImagesTree refuses what docker 28's images --tree does not take.
func checkImagesTree(quiet, digests bool, fmtStr string) error {
	switch {
	case quiet:
		return usageError("--quiet is not yet supported with --tree")
	case digests:
		return usageError("--digests is not yet supported with --tree")
	case fmtStr != "":
		return usageError("--format is not yet supported with --tree")
	}
	return nil
}

// printImagesTree is docker 28's `images --tree`: one line per image name
// (its ID, disk usage, content size, U when a container uses it) and
// below it one per platform. A berth image is one platform's manifest,
// so each has a single child, named os/arch[/variant], with the
// manifest's digest as its ID.
func printImagesTree(out io.Writer, rows []any, noTrunc bool) error {
	var buf bytes.Buffer
	w := tabwriter.NewWriter(&buf, 0, 8, 3, ' ', 0)
	fmt.Fprintln(w, "IMAGE\tID\tDISK USAGE\tCONTENT SIZE\tEXTRA")
	short := func(id string) string {
		id = strings.TrimPrefix(id, "sha256:")
		if noTrunc || len(id) < 12 {
			return id
		}
		return id[:12]
	}
	for _, r := range rows {
		row := r.(imageRow)
		name := row.Repository + ":" + row.Tag
		if row.Repository == "<none>" {
			name = "<untagged>"
		}
		extra := ""
		if row.ImageSummary.Containers > 0 {
			extra = "U"
		}
		size := format.HumanSize(row.img.Size)
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", name, short(row.img.ID), size, size, extra)
		platform := row.img.Os + "/" + row.img.Arch
		if row.img.Variant != "" {
			platform += "/" + row.img.Variant
		}
		if row.img.Os == "" {
			platform = "unknown"
		}
		digest := row.img.Digest
		if digest == "" {
			digest = row.img.ID
		}
		fmt.Fprintf(w, "└─ %s\t%s\t%s\t%s\t%s\n", platform, short(digest), size, size, extra)
		// A blank line between images (cells keep one alignment).
		fmt.Fprintln(w, "\t\t\t\t")
	}
	if err := w.Flush(); err != nil {
		return err
	}
	lines := strings.Split(strings.TrimRight(buf.String(), " \n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	_, err := fmt.Fprintln(out, strings.Join(lines, "\n"))
	return err
}
