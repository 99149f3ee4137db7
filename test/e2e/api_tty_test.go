package e2e

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// dockerTTY runs the docker CLI against uri on a pty of its own.
func dockerTTY(t *testing.T, uri string, args ...string) *ttySession {
	t.Helper()
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("docker CLI not on PATH: the API's docker-client tests need it")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*DefaultTimeout)
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+uri, "DOCKER_CONFIG="+t.TempDir())
	return startTTYCmd(t, cmd, cancel, 24, 80)
}

// `docker run -it` and `docker exec -it` through the API on a real
// terminal: the shell's prompt, echo and the terminal's size, a typed
// command's output, and the shell's exit code as docker's.
func TestAPIDockerCLITerminal(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	uri := apiService(t, env)

	s := dockerTTY(t, uri, "run", "-it", "--rm", "--name", "dtty", "busybox", "sh")
	s.expect("# ")
	s.send("echo typed-$((6*7))\r")
	s.expect("typed-42")
	s.send("stty size\r")
	s.expect("24 80")
	s.send("exit 5\r")
	if code := s.wait(); code != 5 {
		t.Fatalf("docker run -it exit code = %d, want the shell's 5; output:\n%q", code, s.output())
	}
	WaitFor(t, 20*time.Second, func() bool {
		return env.Berth("container", "exists", "dtty").ExitCode() == 1
	})

	env.MustBerth(t, "run", "-d", "--name", "dexec", "busybox", "sleep", "1000")
	e := dockerTTY(t, uri, "exec", "-it", "dexec", "sh")
	e.expect("# ")
	e.send("tty; echo in-$((2+3))\r")
	e.expect("/dev/pts/")
	e.expect("in-5")
	e.send("exit 3\r")
	if code := e.wait(); code != 3 {
		t.Fatalf("docker exec -it exit code = %d, want 3; output:\n%q", code, e.output())
	}
	if st := env.MustBerth(t, "inspect", "--format", "{{.State.Status}}", "dexec"); !strings.Contains(st, "running") {
		t.Errorf("exec -it exiting stopped the container: %s", st)
	}
}
