package build

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

func writeKey(t *testing.T, dir, name string) (string, ssh.PublicKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, name)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return p, sp
}

// ParseSSH's forms and errors; an agent of key files lists and signs, is
// read-only, and stop leaves nothing (its directory gone, connections
// closed).
func TestParseSSHAndAgent(t *testing.T) {
	dir := t.TempDir()
	k1, pub1 := writeKey(t, dir, "one")
	k2, _ := writeKey(t, dir, "two")
	sockPath := filepath.Join(dir, "s.sock")
	ln, err := net.Listen("unix", sockPath)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	env := func(v string) func(string) string { return func(string) string { return v } }

	got, err := ParseSSH([]string{"default", "keys=" + k1 + "," + k2}, env(sockPath))
	if err != nil || got["default"].Socket != sockPath || len(got["keys"].Keys) != 2 {
		t.Fatalf("ParseSSH: %+v %v", got, err)
	}
	for _, tc := range []struct {
		v, sock, want string
	}{
		{"default", "", "SSH_AUTH_SOCK is not set"},
		{"=" + k1, "", "invalid --ssh"},
		{"a=" + sockPath + "," + k1, "", "either one agent socket or key files"},
		{"a=" + filepath.Join(dir, "none"), "", "no such file"},
		{"a=" + dir, "", "neither an agent socket nor a private key"},
	} {
		if _, err := ParseSSH([]string{tc.v}, env(tc.sock)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseSSH(%q): %v, want %q", tc.v, err, tc.want)
		}
	}
	if _, err := ParseSSH([]string{"a=" + k1, "a=" + k2}, env("")); err == nil || !strings.Contains(err.Error(), "given twice") {
		t.Errorf("duplicate id: %v", err)
	}

	a, err := startSSHAgent(got["keys"], 0o600, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("unix", a.sock)
	if err != nil {
		t.Fatal(err)
	}
	client := agent.NewClient(c)
	keys, err := client.List()
	if err != nil || len(keys) != 2 || string(keys[0].Marshal()) != string(pub1.Marshal()) {
		t.Fatalf("List: %v %v", keys, err)
	}
	sig, err := client.Sign(pub1, []byte("data"))
	if err != nil || pub1.Verify([]byte("data"), sig) != nil {
		t.Fatalf("Sign: %v", err)
	}
	if err := client.RemoveAll(); err == nil {
		t.Errorf("the agent let a client remove its keys")
	}
	a.stop() // with the connection still open
	if _, err := os.Stat(a.dir); !os.IsNotExist(err) {
		t.Errorf("agent directory left: %v", err)
	}
	if _, err := client.List(); err == nil {
		t.Errorf("the connection survived stop")
	}
	c.Close()
}
