package cli

import (
	"bufio"
	"io"
	"unicode/utf8"

	"github.com/berth-dev/berth/service"
)

// writePsTable prints ps's default table without a template: the same
// columns and layout as format.Execute gives for the default format (cells
// padded to the widest in their column plus two blanks, at least 12; the
// last one not padded), at a fraction of the cost for thousands of rows.
func writePsTable(w io.Writer, rows []*service.ListContainer, noTrunc, size, noHeading bool) error {
	header := []string{"CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"}
	if size {
		header = append(header, "SIZE")
	}
	lines := make([][]string, 0, len(rows)+1)
	if !noHeading {
		lines = append(lines, header)
	}
	for _, r := range rows {
		p := psRow{r, noTrunc}
		cells := []string{p.ID(), r.Image, p.Command(), p.CreatedHuman(), r.Status, p.Ports(), p.Names()}
		if size {
			cells = append(cells, p.Size())
		}
		lines = append(lines, cells)
	}
	widths := make([]int, len(header))
	for _, cells := range lines {
		for i, c := range cells[:len(cells)-1] {
			if n := utf8.RuneCountInString(c) + 2; n > widths[i] {
				widths[i] = n
			}
		}
	}
	for i := range widths {
		widths[i] = max(widths[i], 12)
	}
	bw := bufio.NewWriterSize(w, 64*1024)
	for _, cells := range lines {
		last := len(cells) - 1
		for i, c := range cells[:last] {
			bw.WriteString(c)
			pad(bw, widths[i]-utf8.RuneCountInString(c))
		}
		bw.WriteString(cells[last])
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// spaces is padding written by slicing, not allocated per cell.
const spaces = "                                                                "

func pad(w *bufio.Writer, n int) {
	for n > 0 {
		k := min(n, len(spaces))
		w.WriteString(spaces[:k])
		n -= k
	}
}
