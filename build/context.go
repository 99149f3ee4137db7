package build

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// readIgnore reads the context's .containerignore, or else its
// .dockerignore: the paths COPY and ADD do not see. No file is no
// pattern (nil).
func readIgnore(contextDir string) (*patternmatcher.PatternMatcher, error) {
	if contextDir == "" {
		return nil, nil
	}
	for _, n := range []string{".containerignore", ".dockerignore"} {
		f, err := os.Open(filepath.Join(contextDir, n))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", n, err)
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
