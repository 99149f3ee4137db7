package build

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine/define"
	securejoin "github.com/cyphar/filepath-securejoin"
)

// isGitURL reports whether a context argument names a git repository, by
// docker's rules: git:// and git@ addresses, and http(s) URLs whose path
// ends in .git; file:// URLs ending in .git too (a local repository).
// A "#REF:DIR" fragment picks a branch or tag and a subdirectory.
func isGitURL(arg string) bool {
	if strings.HasPrefix(arg, "git://") || strings.HasPrefix(arg, "git@") {
		return true
	}
	repo, _, _ := strings.Cut(arg, "#")
	for _, scheme := range []string{"http://", "https://", "file://"} {
		if strings.HasPrefix(repo, scheme) {
			return strings.HasSuffix(repo, ".git")
		}
	}
	return false
}

// gitSource clones a repository (`git clone --depth 1`, of the fragment's
// REF when given) into a temporary directory; the fragment's DIR, inside
// it, is the context.
func gitSource(arg, tmpDir string) (*Source, error) {
	repo, fragment, _ := strings.Cut(arg, "#")
	ref, sub, _ := strings.Cut(fragment, ":")
	if strings.HasPrefix(ref, "-") {
		return nil, fmt.Errorf("build context %s: invalid git reference %q: %w", arg, ref, define.ErrInvalidArg)
	}
	if _, err := exec.LookPath("git"); err != nil {
		return nil, fmt.Errorf("build context %s: git is needed to clone it: %w", arg, err)
	}
	tmp, err := os.MkdirTemp(tmpDir, "berth-build-git-")
	if err != nil {
		return nil, fmt.Errorf("build context: %w", err)
	}
	args := []string{"clone", "--quiet", "--depth", "1", "--recurse-submodules"}
	if ref != "" {
		args = append(args, "--branch", ref)
	}
	dir := filepath.Join(tmp, "repo")
	cmd := exec.Command("git", append(args, "--", repo, dir)...)
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(tmp)
		msg := strings.TrimSpace(string(out))
		if i := strings.LastIndex(msg, "\n"); i >= 0 {
			msg = msg[i+1:]
		}
		return nil, fmt.Errorf("build context %s: git clone failed: %s: %w", arg, msg, define.ErrInvalidArg)
	}
	_ = os.RemoveAll(filepath.Join(dir, ".git"))
	if sub != "" {
		p, err := securejoin.SecureJoin(dir, sub)
		if err == nil {
			var info os.FileInfo
			if info, err = os.Stat(p); err == nil && !info.IsDir() {
				err = errors.New("not a directory")
			}
		}
		if err != nil {
			os.RemoveAll(tmp)
			return nil, fmt.Errorf("build context %s: directory %s in the repository: %v: %w", arg, sub, err, define.ErrInvalidArg)
		}
		dir = p
	}
	return &Source{Dir: dir, Extracted: true, tmp: tmp}, nil
}

// urlSource downloads an http(s) context: a tarball (plain or
// compressed), or a Containerfile alone.
func urlSource(arg, tmpDir string) (*Source, error) {
	if _, err := url.Parse(arg); err != nil {
		return nil, fmt.Errorf("build context %s: %v: %w", arg, err, define.ErrInvalidArg)
	}
	client := &http.Client{Timeout: 10 * time.Minute}
	resp, err := client.Get(arg)
	if err != nil {
		return nil, fmt.Errorf("build context %s: %w", arg, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("build context %s: server answered %s: %w", arg, resp.Status, define.ErrInvalidArg)
	}
	return streamSource(resp.Body, arg, tmpDir)
}
