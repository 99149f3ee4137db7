package build

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// readIgnore reads the ignore file: the Containerfile's own
// (Containerfile.containerignore or .dockerignore beside it), else the
// context's .containerignore, else its .dockerignore: the paths COPY and
// ADD do not see. No file is no pattern (nil).
func readIgnore(contextDir, containerfile string) (*patternmatcher.PatternMatcher, error) {
	if contextDir == "" {
		return nil, nil
	}
	var candidates []string
	if containerfile != "" {
		candidates = append(candidates, containerfile+".containerignore", containerfile+".dockerignore")
	}
	candidates = append(candidates, filepath.Join(contextDir, ".containerignore"), filepath.Join(contextDir, ".dockerignore"))
	for _, n := range candidates {
		f, err := os.Open(n)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", filepath.Base(n), err)
		}
		patterns, err := ignorefile.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", n, err)
		}
		pm, err := patternmatcher.New(patterns)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		return pm, nil
	}
	return nil, nil
}

// ignored reports whether rel (slash-separated, relative to the context)
// is excluded by the ignore file.
func (b *builder) ignored(rel string) bool {
	if b.ignore == nil || rel == "." || rel == "" {
		return false
	}
	m, err := b.ignore.MatchesOrParentMatches(filepath.ToSlash(rel))
	return err == nil && m
}
