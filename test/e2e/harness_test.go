package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildTags are the tags the binary is built with when the suite builds it.
const buildTags = "exclude_graphdriver_btrfs containers_image_openpgp"

// DefaultTimeout bounds one berth invocation; a hung command fails its test
// instead of the whole suite's 25 minutes.
const DefaultTimeout = 60 * time.Second

var (
	// berthBinary is the absolute path of the binary under test.
	berthBinary string
	// busyboxTar is the busybox rootfs tarball built once for the suite by
	// scripts/mkimage-busybox.sh.
	busyboxTar string
	// repoRoot is the checkout the tests run from.
	repoRoot string
)

func TestMain(m *testing.M) {
	os.Exit(runSuite(m))
}

// runSuite prepares the binary and the busybox tarball, runs the tests and
// then checks every test root for leftovers. It returns the exit code so
// that deferred cleanup runs before os.Exit.
func runSuite(m *testing.M) int {
	var err error
	repoRoot, err = filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
		return 1
	}
	suiteDir, err := os.MkdirTemp("", "berth-e2e-suite-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
		return 1
	}
	defer os.RemoveAll(suiteDir)

	if berthBinary, err = findBinary(suiteDir); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: berth binary: %v\n", err)
		return 1
	}
	if busyboxTar, err = buildBusyboxTar(suiteDir); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: busybox image: %v\n", err)
		return 1
	}

	code := m.Run()

	if leaks := roots.finalCheck(); len(leaks) > 0 {
		fmt.Fprintf(os.Stderr, "e2e: FAIL: %d leak(s) after the suite:\n", len(leaks))
		for _, l := range leaks {
			fmt.Fprintf(os.Stderr, "  %s\n", l)
		}
		fmt.Println("FAIL: e2e leaks (see stderr)")
		if code == 0 {
			code = 1
		}
	}
	return code
}

// findBinary returns $BERTH_BINARY, else the checkout's bin/berth, else a
// binary built into dir.
func findBinary(dir string) (string, error) {
	if b := os.Getenv("BERTH_BINARY"); b != "" {
		abs, err := filepath.Abs(b)
		if err != nil {
			return "", err
		}
		if _, err := os.Stat(abs); err != nil {
			return "", fmt.Errorf("BERTH_BINARY: %w", err)
		}
		return abs, nil
	}
	local := filepath.Join(repoRoot, "bin", "berth")
	if _, err := os.Stat(local); err == nil {
		return local, nil
	}
	out := filepath.Join(dir, "berth")
	cmd := exec.Command("go", "build", "-tags", buildTags, "-o", out, "./cmd/berth")
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/berth: %w\n%s", err, b)
	}
	return out, nil
}

// buildBusyboxTar runs scripts/mkimage-busybox.sh into dir.
func buildBusyboxTar(dir string) (string, error) {
	cmd := exec.Command(filepath.Join(repoRoot, "scripts", "mkimage-busybox.sh"), dir)
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("mkimage-busybox.sh: %w\n%s", err, b)
	}
	return filepath.Join(dir, "busybox-rootfs.tar"), nil
}

// Env is one test's private berth installation: its own storage root, run
// root and anything else the engine keeps, all under Dir.
type Env struct {
	// Dir holds everything of this Env; it is removed at cleanup.
	Dir string
	// Root and RunRoot are passed as --root and --runroot.
	Root, RunRoot string
	// TmpDir is a scratch directory for the test's own files.
	TmpDir string
	// GlobalArgs go before the command's own arguments on every call.
	GlobalArgs []string
	// Environ is added to the process environment of every call.
	Environ []string
	// Timeout bounds each call of Berth (DefaultTimeout if zero).
	Timeout time.Duration
}

// NewEnv creates a fresh Env under /tmp/berth-e2e-* and registers its
// cleanup: remove pods and containers with berth itself, record whatever
// that left (mounts, conmon processes) as a leak for TestMain to report,
// then force-clean so that later tests are not affected.
//
// It does not use t.TempDir: a mount left under it would make that cleanup
// fail with an error that hides the real leak.
func NewEnv(t testing.TB) *Env {
	t.Helper()
	dir, err := os.MkdirTemp("/tmp", "berth-e2e-")
	if err != nil {
		t.Fatalf("create env dir: %v", err)
	}
	e := &Env{
		Dir:     dir,
		Root:    filepath.Join(dir, "root"),
		RunRoot: filepath.Join(dir, "runroot"),
		TmpDir:  filepath.Join(dir, "tmp"),
		Timeout: DefaultTimeout,
	}
	for _, d := range []string{e.Root, e.RunRoot, e.TmpDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatalf("create env dir: %v", err)
		}
	}
	if d := os.Getenv("BERTH_E2E_STORAGE_DRIVER"); d != "" {
		e.GlobalArgs = append(e.GlobalArgs, "--storage-driver", d)
	}
	roots.add(dir)
	t.Cleanup(func() { e.cleanup(t) })
	return e
}

// Result is the outcome of one berth invocation.
type Result struct {
	Args     []string
	stdout   string
	stderr   string
	exitCode int
	// Err is set when the command could not run or timed out (ExitCode is
	// then -1); a non-zero exit alone is not an error.
	Err      error
	Duration time.Duration
}

// Stdout returns what the command printed on standard output.
func (r Result) Stdout() string { return r.stdout }

// Stderr returns what the command printed on standard error.
func (r Result) Stderr() string { return r.stderr }

// ExitCode returns the command's exit status, -1 if it did not exit normally.
func (r Result) ExitCode() int { return r.exitCode }

// Lines returns the non-empty lines of standard output.
func (r Result) Lines() []string {
	var out []string
	for _, l := range strings.Split(r.stdout, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// String describes the invocation and all its output, for failure messages.
func (r Result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "berth %s\nexit code: %d (%v)", strings.Join(r.Args, " "), r.exitCode, r.Duration.Round(time.Millisecond))
	if r.Err != nil {
		fmt.Fprintf(&b, "\nerror: %v", r.Err)
	}
	fmt.Fprintf(&b, "\n--- stdout:\n%s\n--- stderr:\n%s", r.stdout, r.stderr)
	return b.String()
}

// args returns the full argument list for a berth call.
func (e *Env) args(args []string) []string {
	full := []string{"--root", e.Root, "--runroot", e.RunRoot, "--log-level", "error"}
	full = append(full, e.GlobalArgs...)
	return append(full, args...)
}

// Command returns an unstarted berth command bound to this Env, for tests
// that need stdin, streaming output or their own lifetime. It runs in its
// own process group so that cancelling ctx kills it and its children.
func (e *Env) Command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, berthBinary, e.args(args)...)
	cmd.Env = append(os.Environ(), e.Environ...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	// conmon or a container could inherit our pipes; do not wait for them
	// once berth itself has exited.
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// Berth runs berth with args against this Env and returns its output and exit
// code. It never fails the test: check the Result, or use MustBerth.
func (e *Env) Berth(args ...string) Result {
	return e.BerthStdin(nil, args...)
}

// BerthStdin is Berth with stdin connected to r.
func (e *Env) BerthStdin(r io.Reader, args ...string) Result {
	timeout := e.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := e.Command(ctx, args...)
	cmd.Stdin = r
	return runResult(ctx, cmd, args, timeout)
}

// runResult runs cmd (bound to ctx, which times it out after timeout) and
// turns its outcome into a Result recorded under args.
func runResult(ctx context.Context, cmd *exec.Cmd, args []string, timeout time.Duration) Result {
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	res := Result{Args: args, Duration: time.Since(start), exitCode: -1}
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		res.Err = fmt.Errorf("timed out after %v: %w", timeout, ctx.Err())
	case err == nil, errors.Is(err, exec.ErrWaitDelay):
		res.exitCode = cmd.ProcessState.ExitCode()
	case errors.As(err, &exitErr):
		res.exitCode = exitErr.ExitCode()
	default:
		res.Err = err
	}
	res.stdout, res.stderr = stdout.String(), stderr.String()
	return res
}

// MustBerth runs berth and fails the test, showing the whole invocation and
// output, unless it exits 0. It returns standard output with surrounding
// white space trimmed (an ID, a name, a table).
func (e *Env) MustBerth(t testing.TB, args ...string) string {
	t.Helper()
	r := e.Berth(args...)
	if r.Err != nil || r.exitCode != 0 {
		t.Fatalf("command failed:\n%s", r)
	}
	return strings.TrimSpace(r.stdout)
}

// ImportBusybox imports the suite's busybox rootfs as image "busybox" with
// CMD /bin/sh and returns what import printed (the image ID).
func (e *Env) ImportBusybox(t testing.TB) string {
	t.Helper()
	return e.MustBerth(t, "import", "--change", "CMD=/bin/sh", busyboxTar, "busybox")
}

// BusyboxTar returns the path of the suite's busybox rootfs tarball, for
// tests of import itself.
func BusyboxTar() string { return busyboxTar }

// WaitFor polls cond until it returns true, failing the test after timeout.
// Use it instead of sleeping.
func WaitFor(t testing.TB, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	delay := 20 * time.Millisecond
	for {
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", timeout)
		}
		time.Sleep(delay)
		if delay < 250*time.Millisecond {
			delay *= 2
		}
	}
}
