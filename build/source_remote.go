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
// docker's rules: git://, git@ and github.com/ addresses, and http(s) URLs
// whose path ends in .git; file:// URLs ending in .git too (a local
// repository).
// A "#REF:DIR" fragment picks a branch or tag and a subdirectory.
func isGitURL(arg string) bool {
	if strings.HasPrefix(arg, "git://") || strings.HasPrefix(arg, "git@") || strings.HasPrefix(arg, "github.com/") {
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
	tmp, dir, err := cloneRepo(arg, tmpDir, false)
	if err != nil {
		return nil, fmt.Errorf("build context %s: %w", arg, err)
	}
	return &Source{Dir: dir, Extracted: true, tmp: tmp}, nil
}

// cloneRepo clones a git URL with its #REF:DIR fragment into a new
// temporary directory tmp (the caller removes it); dir is DIR inside the
// clone. keepGit keeps the .git directory (ADD --keep-git-dir).
func cloneRepo(arg, tmpDir string, keepGit bool) (tmp, dir string, err error) {
	repo, fragment, _ := strings.Cut(arg, "#")
	ref, sub, _ := strings.Cut(fragment, ":")
	if strings.HasPrefix(repo, "github.com/") {
		repo = "https://" + repo // docker's shorthand
	}
	if tmp, err = os.MkdirTemp(tmpDir, "berth-build-git-"); err != nil {
		return "", "", err
	}
	dir = filepath.Join(tmp, "repo")
	if err := gitClone(repo, ref, dir); err != nil {
		os.RemoveAll(tmp)
		return "", "", err
	}
	if !keepGit {
		_ = os.RemoveAll(filepath.Join(dir, ".git"))
	}
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
			return "", "", fmt.Errorf("directory %s in the repository: %v: %w", sub, err, define.ErrInvalidArg)
		}
		dir = p
	}
	return tmp, dir, nil
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

// gitClone clones repo (of ref, when given, with its submodules) into
// dir, only its last commit; a server that cannot give shallow clones
// (git's dumb HTTP) is cloned whole, as dockerd does.
func gitClone(repo, ref, dir string) error {
	if strings.HasPrefix(ref, "-") || strings.HasPrefix(repo, "-") {
		return fmt.Errorf("invalid git reference %q: %w", ref, define.ErrInvalidArg)
	}
	if _, err := exec.LookPath("git"); err != nil {
		return fmt.Errorf("git is needed to clone it: %w", err)
	}
	run := func(depth bool) (string, error) {
		args := []string{"clone", "--quiet"}
		if depth {
			args = append(args, "--depth", "1")
		}
		args = append(args, "--recurse-submodules")
		if ref != "" {
			args = append(args, "--branch", ref)
		}
		cmd := exec.Command("git", append(args, "--", repo, dir)...)
		cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
		out, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	msg, err := run(true)
	if err != nil && strings.Contains(msg, "does not support shallow") {
		_ = os.RemoveAll(dir)
		msg, err = run(false)
	}
	if err != nil {
		if i := strings.LastIndex(msg, "\n"); i >= 0 {
			msg = msg[i+1:]
		}
		return fmt.Errorf("git clone failed: %s: %w", msg, define.ErrInvalidArg)
	}
	return nil
}

// OpenRemote prepares the docker API's remote= context: a git repository
// (git://, git@, github.com/, or an http(s) URL ending .git) or an http(s)
// URL of a tarball or a Containerfile. Anything else (a path, file://) is
// refused, as dockerd does: the client names no file of the server's.
func OpenRemote(arg, tmpDir string) (*Source, error) {
	isHTTP := strings.HasPrefix(arg, "http://") || strings.HasPrefix(arg, "https://")
	switch {
	case isGitURL(arg) && !strings.HasPrefix(arg, "file://"):
		return gitSource(arg, tmpDir)
	case isHTTP:
		return urlSource(arg, tmpDir)
	}
	return nil, fmt.Errorf("remote %s is neither a git repository nor an http(s) URL: %w", arg, define.ErrInvalidArg)
}
