package cli

import (
	"bufio"
	"io"
	"text/tabwriter"

	"github.com/berth-dev/berth/service"
)

// writePsTable prints ps's default table without a template: the same
// columns and layout as format.Execute gives for the default format, at a
// fraction of the cost for thousands of rows (reflection per cell adds up).
func writePsTable(w io.Writer, rows []*service.ListContainer, noTrunc, size, noHeading bool) error {
	bw := bufio.NewWriterSize(w, 64*1024)
	tw := tabwriter.NewWriter(bw, 12, 2, 2, ' ', 0)
	if !noHeading {
		h := "CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tPORTS\tNAMES"
		if size {
			h += "\tSIZE"
		}
		io.WriteString(tw, h+"\n")
	}
	line := make([]byte, 0, 256)
	for _, r := range rows {
		p := psRow{r, noTrunc}
		line = append(line[:0], p.ID()...)
		for _, cell := range []string{r.Image, p.Command(), p.CreatedHuman(), r.Status, p.Ports(), p.Names()} {
			line = append(line, '\t')
			line = append(line, cell...)
		}
		if size {
			line = append(append(line, '\t'), p.Size()...)
		}
		line = append(line, '\n')
		if _, err := tw.Write(line); err != nil {
			return err
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return bw.Flush()
}
