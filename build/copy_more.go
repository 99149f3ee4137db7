package build

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/moby/patternmatcher"
	"github.com/opencontainers/go-digest"
)

// isURL reports whether an ADD source is fetched over HTTP(S).
func isURL(src string) bool {
	return strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://")
}

// checkCopyFlags refuses what COPY and ADD cannot do with their sources,
// before anything is fetched.
func checkCopyFlags(r copyRequest) error {
	if r.checksum != "" {
		if _, err := digest.Parse(r.checksum); err != nil {
			return fmt.Errorf("ADD --checksum=%s: invalid digest: %w", r.checksum, err)
		}
		for _, src := range r.SourcePaths {
			if !isURL(src) {
				// docker's rule: a local file needs no checksum.
				return fmt.Errorf("ADD --checksum can't be specified for non-HTTP(S) sources (%s)", src)
			}
		}
	}
	if r.from != "" && len(r.exclude) > 0 {
		return fmt.Errorf("%s --exclude with --from=%s is not supported yet: only with the build context", r.kind, r.from)
	}
	if r.keepGitDir && !slices.ContainsFunc(r.SourcePaths, func(src string) bool { return isGitSource(r, src) }) {
		return fmt.Errorf("ADD --keep-git-dir needs a git repository source")
	}
	for _, src := range r.SourcePaths {
		if r.add && isGitSource(r, src) && (r.checksum != "" || r.parents) {
			return fmt.Errorf("ADD --checksum and --parents cannot be used with a git repository (%s)", src)
		}
		if isURL(src) && !r.add {
			return fmt.Errorf("COPY cannot copy from a URL (%s): use ADD", src)
		}
		if isURL(src) && r.parents {
			return fmt.Errorf("ADD --parents cannot be used with a URL (%s)", src)
		}
	}
	return nil
}

// copyFlags is how --parents and --exclude are recorded in the step's
// history (and so in its cache key).
func copyFlags(r copyRequest) string {
	out := ""
	if r.parents {
		out += " --parents"
	}
	for _, e := range r.exclude {
		out += " --exclude=" + e
	}
	if r.checksum != "" {
		out += " --checksum=" + r.checksum
	}
	return out
}

// excludeSources drops what --exclude names: a matched source by its
// path in the context or its base name, a directory's entries by their
// path under it (or a parent's). A pattern that leaves a source with
// nothing is docker's "no source files".
func excludeSources(sources []ctxSource, patterns []string) ([]ctxSource, error) {
	if len(patterns) == 0 {
		return sources, nil
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return nil, fmt.Errorf("invalid --exclude pattern: %w", err)
	}
	match := func(p string) bool {
		ok, err := pm.MatchesOrParentMatches(p)
		return err == nil && ok
	}
	var out []ctxSource
	for _, s := range sources {
		if match(filepath.ToSlash(s.name)) || match(path.Base(filepath.ToSlash(s.name))) {
			continue
		}
		if s.info.IsDir() {
			kept := s.entries[:0:0]
			for _, e := range s.entries {
				if e.rel == "" || !match(e.rel) {
					kept = append(kept, e)
				}
			}
			s.entries = kept
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no source files were specified: --exclude left nothing to copy")
	}
	return out, nil
}

// parentsPath is the path --parents keeps of a source matched as name
// (relative to the context): all of it, or what follows a "/./" pivot
// in the source as written (COPY --parents a/./b/c /dst/ is /dst/b/c).
func parentsPath(src, name string) string {
	name = filepath.ToSlash(name)
	if i := strings.Index(src, "/./"); i >= 0 {
		pivot := strings.TrimPrefix(path.Clean("/"+src[:i]), "/")
		if pivot != "" {
			return strings.TrimPrefix(strings.TrimPrefix(name, pivot), "/")
		}
	}
	return name
}

// fetchURL downloads an ADD source into dir and describes it as a source
// named by the URL's last path element, mode 0600 and the server's
// Last-Modified time (docker's rules; a remote archive is not
// extracted). With checksum the content must have that digest.
func fetchURL(dir string, i int, src, checksum string) (ctxSource, error) {
	u, err := url.Parse(src)
	if err != nil {
		return ctxSource{}, fmt.Errorf("ADD %s: %w", src, err)
	}
	name := path.Base(u.Path)
	if name == "/" || name == "." || name == "" {
		name = "__unnamed__"
	}
	client := &http.Client{Timeout: 10 * time.Minute}
	resp, err := client.Get(src)
	if err != nil {
		return ctxSource{}, fmt.Errorf("ADD %s: %w", src, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return ctxSource{}, fmt.Errorf("ADD %s: server answered %s", src, resp.Status)
	}
	host := filepath.Join(dir, fmt.Sprintf("url-%d", i), name)
	if err := os.MkdirAll(filepath.Dir(host), 0o700); err != nil {
		return ctxSource{}, err
	}
	f, err := os.OpenFile(host, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return ctxSource{}, err
	}
	w := io.Writer(f)
	var verifier digest.Verifier
	if checksum != "" {
		verifier = digest.Digest(checksum).Verifier()
		w = io.MultiWriter(f, verifier)
	}
	_, err = io.Copy(w, resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return ctxSource{}, fmt.Errorf("ADD %s: %w", src, err)
	}
	if verifier != nil && !verifier.Verified() {
		return ctxSource{}, fmt.Errorf("ADD %s: the content does not match --checksum=%s", src, checksum)
	}
	if lm, err := http.ParseTime(resp.Header.Get("Last-Modified")); err == nil {
		_ = os.Chtimes(host, lm, lm)
	}
	info, err := os.Lstat(host)
	if err != nil {
		return ctxSource{}, err
	}
	return ctxSource{name: name, info: info, entries: []ctxEntry{{host: host, info: info}}}, nil
}

// isGitSource reports whether an ADD source is a git repository (by the
// rules of git contexts; not file://, which would read the host's
// repositories for any Containerfile).
func isGitSource(r copyRequest, src string) bool {
	return r.add && r.from == "" && isGitURL(src) && !strings.HasPrefix(src, "file://")
}

// gitAddSource clones an ADD git source (#REF:DIR picks a branch or tag
// and a directory): its files land in the destination directory. The
// digest covers the files (and, with --keep-git-dir, the commit instead
// of .git, whose index changes with every clone). tmp is the clone's
// directory, to remove after the step.
func gitAddSource(src string, keepGit bool) (_ ctxSource, tmp string, err error) {
	tmp, dir, err := cloneRepo(src, "", keepGit)
	if err != nil {
		return ctxSource{}, "", fmt.Errorf("ADD %s: %w", src, err)
	}
	s, err := (&builder{opts: &Options{ContextDir: dir}}).contextSource(".", false)
	if err != nil {
		return ctxSource{}, tmp, fmt.Errorf("ADD %s: %w", src, err)
	}
	s.name = src
	if keepGit {
		out, err := exec.Command("git", "-C", dir, "rev-parse", "HEAD").Output()
		if err != nil {
			return ctxSource{}, tmp, fmt.Errorf("ADD %s: reading the commit: %w", src, err)
		}
		s.gitCommit = strings.TrimSpace(string(out))
	}
	return s, tmp, nil
}
