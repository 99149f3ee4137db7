package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// sshKey makes an unencrypted ed25519 key pair (or one protected by
// passphrase) and returns the private key's path and its SHA256
// fingerprint.
func sshKey(t *testing.T, dir, name, passphrase string) (string, string) {
	t.Helper()
	key := filepath.Join(dir, name)
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", name, "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	out, err := exec.Command("ssh-keygen", "-l", "-E", "sha256", "-f", key+".pub").Output()
	if err != nil {
		t.Fatal(err)
	}
	return key, strings.Fields(string(out))[1]
}

// startSSHAgent runs `ssh-agent -D -a SOCK` with key added; the agent is
// killed (by its PID) when the test ends.
func startSSHAgent(t *testing.T, sock, key string) {
	t.Helper()
	agent := exec.Command("ssh-agent", "-D", "-a", sock)
	if err := agent.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = agent.Process.Kill()
		_ = agent.Wait()
	})
	for i := 0; ; i++ {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if i == 100 {
			t.Fatal("ssh-agent did not create its socket")
		}
		time.Sleep(50 * time.Millisecond)
	}
	add := exec.Command("ssh-add", key)
	add.Env = append(os.Environ(), "SSH_AUTH_SOCK="+sock)
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("ssh-add: %v\n%s", err, out)
	}
}

// TestBuildSSH: --ssh default forwards $SSH_AUTH_SOCK and --ssh ID=KEYFILE
// serves keys from an agent of the build; RUN --mount=type=ssh binds the
// socket (default target /run/buildkit/ssh_agent.0, SSH_AUTH_SOCK set for
// that step only) and a static agent client in the container lists and
// signs with the keys. The cache key does not depend on the socket; a
// required id that was not given fails; nothing stays behind.
func TestBuildSSH(t *testing.T) {
	for _, bin := range []string{"ssh-agent", "ssh-add", "ssh-keygen"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s not installed", bin)
		}
	}
	env := NewEnv(t)
	env.ImportBusybox(t)
	keys := filepath.Join(env.Dir, "keys")
	if err := os.MkdirAll(keys, 0o700); err != nil {
		t.Fatal(err)
	}
	key1, fp1 := sshKey(t, keys, "one", "")
	key2, fp2 := sshKey(t, keys, "two", "")
	locked, _ := sshKey(t, keys, "locked", "secret phrase")
	sock := filepath.Join(env.Dir, "agent.sock")
	startSSHAgent(t, sock, key1)
	tmp := filepath.Join(env.Dir, "buildtmp")
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	env.Environ = append(env.Environ, "SSH_AUTH_SOCK="+sock, "TMPDIR="+tmp)

	ctx := writeContext(t, env, "ctx", map[string]string{
		"Containerfile": `FROM busybox
COPY agentls /agentls
RUN --mount=type=ssh test -S "$SSH_AUTH_SOCK" && echo "$SSH_AUTH_SOCK" > /sock && /agentls > /fp-default
RUN --mount=type=ssh,id=keys,target=/tmp/k.sock,mode=0640,uid=7,gid=8 stat -c '%a %u %g' /tmp/k.sock > /keys-stat && AGENTLS_TRY_ADD=1 /agentls > /fp-keys
RUN --mount=type=ssh,id=nosuch echo "[$SSH_AUTH_SOCK]" > /nosuch
RUN echo "[$SSH_AUTH_SOCK]" > /after
`,
		"Required": "FROM busybox\nRUN --mount=type=ssh,id=nope,required=true true\n",
	})
	if err := os.WriteFile(filepath.Join(ctx, "agentls"), nil, 0o755); err != nil {
		t.Fatal(err)
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = "/usr/local/go/bin/go"
	}
	cmd := exec.Command(goBin, "build", "-o", filepath.Join(ctx, "agentls"), "./testdata/agentls")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build agentls: %v\n%s", err, b)
	}

	out := env.MustBerth(t, "build", "--ssh", "default", "--ssh", "keys="+key2, "-t", "sshimg", ctx)
	if !strings.Contains(out, `no SSH agent or key was given for id "nosuch"`) {
		t.Errorf("no warning for the id not given:\n%s", out)
	}
	got := env.MustBerth(t, "run", "--rm", "sshimg", "cat", "/sock", "/fp-default", "/keys-stat", "/fp-keys", "/nosuch", "/after")
	want := "/run/buildkit/ssh_agent.0\n" + fp1 + "\n640 7 8\n" + fp2 + "\nrefused\n[]\n[]"
	if got != want {
		t.Errorf("what the RUN steps saw:\n%s\nwant:\n%s", got, want)
	}
	// Neither the socket's mount point nor the variable is in the image.
	if got := env.MustBerth(t, "run", "--rm", "sshimg", "sh", "-c", "ls -A /run/buildkit /tmp 2>/dev/null | grep -c sock; echo \"[$SSH_AUTH_SOCK]\""); got != "0\n[]" {
		t.Errorf("left in the image: %q", got)
	}
	if h := env.MustBerth(t, "history", "--no-trunc", "sshimg"); strings.Contains(h, sock) || strings.Contains(h, key2) || strings.Contains(h, tmp) {
		t.Errorf("host paths in the history:\n%s", h)
	}

	// The same steps with the agent's key served from its file and the
	// other id from the agent: every step is a cache hit.
	id := env.MustBerth(t, "images", "-q", "--no-trunc", "sshimg")
	out = env.MustBerth(t, "build", "--ssh", "default="+key1, "--ssh", "keys="+sock, "-t", "sshimg2", ctx)
	if n := strings.Count(out, "--> Using cache"); n != 5 {
		t.Errorf("rebuild with other sources: %d cache hits:\n%s", n, out)
	}
	if id2 := env.MustBerth(t, "images", "-q", "--no-trunc", "sshimg2"); id2 != id {
		t.Errorf("rebuild: image %s, want %s", id2, id)
	}
	// Without the cache, key files serve the RUN steps too.
	env.MustBerth(t, "build", "--no-cache", "--ssh", "default="+key1+","+key2, "--ssh", "keys="+key2, "-t", "sshimg3", ctx)
	if got := env.MustBerth(t, "run", "--rm", "sshimg3", "cat", "/fp-default"); got != fp1+"\n"+fp2 {
		t.Errorf("two key files: %q", got)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-f", filepath.Join(ctx, "Required"), "--ssh", "default"}, `no SSH key "nope" forwarded: RUN --mount=type=ssh,id=nope,required needs --ssh nope`},
		{[]string{"--ssh", "default=" + filepath.Join(env.Dir, "nosuch")}, "--ssh default: stat " + filepath.Join(env.Dir, "nosuch") + ": no such file or directory"},
		{[]string{"--ssh", "default=" + locked}, "is protected by a passphrase"},
		{[]string{"--ssh", "default=" + filepath.Join(ctx, "Containerfile")}, "is neither an agent socket nor a private key"},
		{[]string{"--ssh", "x=" + sock + "," + key1}, "give either one agent socket or key files"},
		{[]string{"--ssh", "=" + key1}, "invalid --ssh"},
	} {
		before := env.MustBerth(t, "images", "-aq")
		r := env.Berth(append(append([]string{"build"}, tc.args...), ctx)...)
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), tc.want) {
			t.Errorf("build %v: want %q:\n%s", tc.args, tc.want, r)
		}
		if after := env.MustBerth(t, "images", "-aq"); after != before {
			t.Errorf("build %v: images changed", tc.args)
		}
	}
	unset := env.Command(t.Context(), "build", "--ssh", "default", ctx)
	unset.Env = append(unset.Env, "SSH_AUTH_SOCK=")
	if b, err := unset.CombinedOutput(); err == nil || !strings.Contains(string(b), "SSH_AUTH_SOCK is not set") {
		t.Errorf("--ssh default without SSH_AUTH_SOCK: %v\n%s", err, b)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "berth-ssh-*")); len(left) > 0 {
		t.Errorf("agent directories left behind: %v", left)
	}
}
