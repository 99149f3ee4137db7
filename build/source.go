package build

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	"go.podman.io/storage/pkg/archive"
)

// Source is a build context made ready: a directory, or (for a
// Containerfile given on stdin) none at all.
type Source struct {
	// Dir is the context directory; "" when there is no context.
	Dir string
	// Containerfile is set when stdin held a Containerfile instead of a
	// context archive.
	Containerfile []byte
	// Extracted tells that Dir is a temporary copy (a tarball's, a
	// clone's).
	Extracted bool
	// tmp is the temporary directory to remove when it is not Dir (a
	// clone whose subdirectory is the context).
	tmp string
}

// Remove deletes a temporary context.
func (s *Source) Remove() {
	switch {
	case s.tmp != "":
		_ = os.RemoveAll(s.tmp)
	case s.Extracted && s.Dir != "":
		_ = os.RemoveAll(s.Dir)
	}
}

// streamSource reads a context from r: a tarball, or a Containerfile
// alone.
func streamSource(r io.Reader, what, tmpDir string) (*Source, error) {
	br := bufio.NewReader(r)
	if looksLikeArchive(br) {
		return extract(br, tmpDir)
	}
	b, err := io.ReadAll(br)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", what, err)
	}
	return &Source{Containerfile: b}, nil
}

// OpenSource prepares the context named on the command line: a
// directory, a tarball (plain or compressed), "-" for stdin, which holds
// either a tarball or a Containerfile (docker's `build - < Dockerfile`),
// a git repository (see isGitURL) or an http(s) URL of a tarball or a
// Containerfile.
func OpenSource(arg string, stdin io.Reader, tmpDir string) (*Source, error) {
	if isGitURL(arg) {
		return gitSource(arg, tmpDir)
	}
	if strings.HasPrefix(arg, "http://") || strings.HasPrefix(arg, "https://") {
		return urlSource(arg, tmpDir)
	}
	if arg == "-" {
		return streamSource(stdin, "stdin", tmpDir)
	}
	info, err := os.Stat(arg)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("build context %s: no such file or directory: %w", arg, define.ErrInvalidArg)
		}
		return nil, fmt.Errorf("build context: %w", err)
	}
	if info.IsDir() {
		return &Source{Dir: arg}, nil
	}
	f, err := os.Open(arg)
	if err != nil {
		return nil, fmt.Errorf("build context: %w", err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	if !looksLikeArchive(br) {
		return nil, fmt.Errorf("build context %s is neither a directory nor a tar archive: %w", arg, define.ErrInvalidArg)
	}
	return extract(br, tmpDir)
}

// looksLikeArchive peeks at r for a compressed stream or a tar header.
func looksLikeArchive(r *bufio.Reader) bool {
	head, _ := r.Peek(512)
	if archive.DetectCompression(head) != archive.Uncompressed {
		return true
	}
	// A tar header has "ustar" at offset 257.
	return len(head) >= 262 && string(head[257:262]) == "ustar"
}

// extract unpacks a context archive into a new temporary directory.
func extract(r io.Reader, tmpDir string) (*Source, error) {
	dir, err := os.MkdirTemp(tmpDir, "berth-build-context-")
	if err != nil {
		return nil, fmt.Errorf("build context: %w", err)
	}
	if err := archive.Untar(r, dir, &archive.TarOptions{NoLchown: true}); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("build context: extracting archive: %w", err)
	}
	return &Source{Dir: dir, Extracted: true}, nil
}
