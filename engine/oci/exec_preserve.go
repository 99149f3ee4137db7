package oci

import (
	"fmt"
	"os"
)

// preserved are the files an exec session passes on as fds 3, 4, ...:
// the caller's own descriptors at their numbers, and empty pipes (gaps,
// which the caller closes after the start) where exec --preserve-fd
// leaves a hole, since the runtime passes a whole range.
type preserved struct {
	files, gaps []*os.File
}

// preservedCount is how many descriptors from 3 on the runtime passes.
func preservedCount(n uint, list []uint) int {
	top := 2 + int(n)
	for _, fd := range list {
		top = max(top, int(fd))
	}
	return top - 2
}

// preservedExecFiles lines up exec's --preserve-fds N and --preserve-fd
// LIST as fds 3..: the caller's descriptors are passed as they are (not
// duplicated: conmon inherits them at the same numbers).
func preservedExecFiles(n uint, list []uint) (preserved, error) {
	want := map[int]bool{}
	for fd := 3; fd < 3+int(n); fd++ {
		want[fd] = true
	}
	for _, fd := range list {
		if fd < 3 {
			return preserved{}, fmt.Errorf("file descriptor %d cannot be preserved: 0, 1 and 2 are always passed", fd)
		}
		want[int(fd)] = true
	}
	var p preserved
	for fd := 3; fd < 3+preservedCount(n, list); fd++ {
		if want[fd] {
			p.files = append(p.files, os.NewFile(uintptr(fd), fmt.Sprintf("fd-%d", fd)))
			continue
		}
		r, w, err := os.Pipe()
		if err != nil {
			for _, g := range p.gaps {
				g.Close()
			}
			return preserved{}, err
		}
		w.Close()
		p.files = append(p.files, r)
		p.gaps = append(p.gaps, r)
	}
	return p, nil
}
