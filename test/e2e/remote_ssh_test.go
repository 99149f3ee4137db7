package e2e

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// writeSSHKey writes a new ed25519 private key (OpenSSH format) to path
// and returns its public half.
func writeSSHKey(t *testing.T, path string) ssh.PublicKey {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

// startSSHD runs the test's own sshd on 127.0.0.1 (its own host key,
// authorized_keys, config and port, in the foreground) and returns its
// address and host key. The host's sshd and ~/.ssh are never touched.
// BERTH_E2E_SSHD names another sshd binary; BERTH_E2E_SSH_USER the user
// it lets in (root by default).
func startSSHD(t *testing.T, dir string, clientKey ssh.PublicKey) (addr string, hostKey ssh.PublicKey) {
	t.Helper()
	sshd := os.Getenv("BERTH_E2E_SSHD")
	if sshd == "" {
		sshd = "/usr/sbin/sshd"
	}
	if _, err := os.Stat(sshd); err != nil {
		t.Skipf("sshd not found at %s (Debian package openssh-server): skipping the ssh:// test", sshd)
	}
	// A root sshd insists on its privilege separation directory.
	if os.Getuid() == 0 && os.Getenv("BERTH_E2E_SSHD") == "" {
		if _, err := os.Stat("/run/sshd"); errors.Is(err, fs.ErrNotExist) {
			if err := os.Mkdir("/run/sshd", 0o755); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Remove("/run/sshd") })
		}
	}
	hostKeyPath := filepath.Join(dir, "host_key")
	hostKey = writeSSHKey(t, hostKeyPath)
	if err := os.WriteFile(filepath.Join(dir, "authorized_keys"), ssh.MarshalAuthorizedKey(clientKey), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	conf := filepath.Join(dir, "sshd_config")
	lines := []string{
		"Port " + strconv.Itoa(port), "ListenAddress 127.0.0.1", "HostKey " + hostKeyPath,
		"PidFile " + filepath.Join(dir, "sshd.pid"), "AuthorizedKeysFile " + filepath.Join(dir, "authorized_keys"),
		"StrictModes no", "PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no",
		"PermitRootLogin prohibit-password", "AllowStreamLocalForwarding yes", "LogLevel ERROR",
	}
	if err := os.WriteFile(conf, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(sshd, "-D", "-e", "-f", conf)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		if t.Failed() {
			t.Logf("sshd stderr:\n%s", stderr.String())
		}
	})
	addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	WaitFor(t, 10*time.Second, func() bool {
		select {
		case <-done:
			t.Fatalf("sshd exited:\n%s", stderr.String())
		default:
		}
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return addr, hostKey
}

func TestRemoteSSH(t *testing.T) {
	env := NewEnv(t)
	dir := filepath.Join(env.Dir, "ssh")
	home := filepath.Join(env.Dir, "home")
	for _, d := range []string{dir, filepath.Join(home, ".ssh")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	key := filepath.Join(dir, "client_key")
	addr, hostKey := startSSHD(t, dir, writeSSHKey(t, key))
	user := os.Getenv("BERTH_E2E_SSH_USER")
	if user == "" {
		user = "root"
	}
	env.ImportBusybox(t)
	sock := strings.TrimPrefix(apiService(t, env), "unix://")
	env.MustBerth(t, "create", "--name", "viassh", "busybox", "true")
	// The client's ~/.ssh is the test's own.
	env.Environ = append(env.Environ, "HOME="+home, "SSH_AUTH_SOCK=", "BERTH_CONNECTIONS_CONF="+filepath.Join(dir, "connections.json"))
	uri := "ssh://" + user + "@" + addr + sock
	knownHosts := filepath.Join(home, ".ssh", "known_hosts")

	if out := env.Berth("--url", uri, "--identity", key, "ps", "-a"); out.ExitCode() != 125 || !strings.Contains(out.Stderr(), "is not in "+knownHosts) {
		t.Errorf("ps with the host unknown: want a known_hosts error:\n%s", out)
	}
	line := knownhosts.Line([]string{knownhosts.Normalize(addr)}, hostKey)
	if err := os.WriteFile(knownHosts, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := env.MustBerth(t, "--url", uri, "--identity", key, "ps", "-a", "--format", "{{.Names}} {{.State}}"); got != "viassh created" {
		t.Errorf("ps over ssh = %q, want viassh created", got)
	}
	env.MustBerth(t, "system", "connection", "add", "--default", "--identity", key, "far", uri)
	if got := env.MustBerth(t, "--remote", "start", "viassh"); got != "viassh" {
		t.Errorf("start over the default ssh connection = %q", got)
	}
	if got := env.MustBerth(t, "--connection", "far", "wait", "viassh"); got != "0" {
		t.Errorf("wait over ssh = %q, want 0", got)
	}
	env.MustBerth(t, "--connection", "far", "run", "-d", "--name", "sshsleeper", "busybox", "sleep", "1000")
	if out := env.BerthStdin(strings.NewReader("over ssh\n"), "--connection", "far", "exec", "-i", "sshsleeper", "cat"); out.ExitCode() != 0 || out.Stdout() != "over ssh\n" {
		t.Errorf("exec -i over ssh:\n%s", out)
	}
	env.MustBerth(t, "--connection", "far", "rm", "-f", "-t", "0", "sshsleeper")
	if out := env.Berth("--url", uri, "ps"); out.ExitCode() != 125 || !strings.Contains(out.Stderr(), "ssh") {
		t.Errorf("ps over ssh without a key: want an ssh error:\n%s", out)
	}
}
