package remote

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/service"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// sshServer is a minimal in-process SSH server that accepts one client
// key and forwards direct-streamlocal channels (what `ssh -L` to a unix
// socket and podman-remote use) to unix sockets.
func sshServer(t *testing.T, clientKey ssh.PublicKey) (addr string, hostKey ssh.PublicKey) {
	t.Helper()
	_, hostPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(hostPriv)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ssh.ServerConfig{PublicKeyCallback: func(meta ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
		if meta.User() == "root" && string(key.Marshal()) == string(clientKey.Marshal()) {
			return nil, nil
		}
		return nil, io.EOF
	}}
	cfg.AddHostKey(signer)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go serveSSH(conn, cfg)
		}
	}()
	return l.Addr().String(), signer.PublicKey()
}

func serveSSH(conn net.Conn, cfg *ssh.ServerConfig) {
	sc, chans, reqs, err := ssh.NewServerConn(conn, cfg)
	if err != nil {
		conn.Close()
		return
	}
	defer sc.Close()
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "direct-streamlocal@openssh.com" {
			_ = nc.Reject(ssh.UnknownChannelType, "only streamlocal")
			continue
		}
		var msg struct {
			SocketPath string
			Reserved0  string
			Reserved1  uint32
		}
		if err := ssh.Unmarshal(nc.ExtraData(), &msg); err != nil {
			_ = nc.Reject(ssh.ConnectionFailed, err.Error())
			continue
		}
		target, err := net.Dial("unix", msg.SocketPath)
		if err != nil {
			_ = nc.Reject(ssh.ConnectionFailed, err.Error())
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			target.Close()
			continue
		}
		go ssh.DiscardRequests(creqs)
		go func() {
			_, _ = io.Copy(target, ch)
			target.(*net.UnixConn).CloseWrite()
		}()
		go func() {
			_, _ = io.Copy(ch, target)
			ch.CloseWrite()
			ch.Close()
			target.Close()
		}()
	}
}

func TestSSH(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("SSH_AUTH_SOCK", "")

	// The service: a unix socket on "the far side".
	sock := filepath.Join(dir, "svc.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v5.0.0/libpod/containers/json", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, []map[string]any{{"Id": "viassh", "State": "running"}})
	})
	srv := httptest.NewUnstartedServer(mux)
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)

	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(dir, "key")
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	addr, hostKey := sshServer(t, sshPub)
	uri := "ssh://root@" + addr + sock
	ctx := context.Background()

	// Unknown host: a clear error naming known_hosts.
	if err := os.MkdirAll(filepath.Join(dir, ".ssh"), 0o700); err != nil {
		t.Fatal(err)
	}
	khPath := filepath.Join(dir, ".ssh", "known_hosts")
	for _, content := range [][]byte{nil, []byte("# no hosts\n")} {
		if content != nil {
			if err := os.WriteFile(khPath, content, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := New(ctx, uri, keyPath); err == nil || !strings.Contains(err.Error(), "is not in "+khPath) {
			t.Fatalf("unknown host (known_hosts %q): err = %v", content, err)
		}
	}

	// Known host with another key: refused.
	_, otherPriv, _ := ed25519.GenerateKey(rand.Reader)
	other, _ := ssh.NewSignerFromKey(otherPriv)
	line := knownhosts.Line([]string{knownhosts.Normalize(addr)}, other.PublicKey())
	if err := os.WriteFile(khPath, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(ctx, uri, keyPath); err == nil || !strings.Contains(err.Error(), "does not match its key") {
		t.Fatalf("changed host key: err = %v", err)
	}

	line = knownhosts.Line([]string{knownhosts.Normalize(addr)}, hostKey)
	if err := os.WriteFile(khPath, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// No identity, no agent, no ~/.ssh/id_*: says what to do.
	if _, err := New(ctx, uri, ""); err == nil || !strings.Contains(err.Error(), "no key to log in with") {
		t.Fatalf("no key: err = %v", err)
	}
	c, err := New(ctx, uri, keyPath)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rows, err := c.List(ctx, service.ListOptions{})
	if err != nil || len(rows) != 1 || rows[0].ID != "viassh" {
		t.Fatalf("List over ssh = %+v, %v", rows, err)
	}
	// A second request reuses the session with a new channel.
	if _, err := c.List(ctx, service.ListOptions{}); err != nil {
		t.Fatal(err)
	}

	// ~/.ssh/id_ed25519 is found without --identity.
	if err := os.Rename(keyPath, filepath.Join(dir, ".ssh", "id_ed25519")); err != nil {
		t.Fatal(err)
	}
	c2, err := New(ctx, uri, "")
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if _, err := c2.List(ctx, service.ListOptions{}); err != nil {
		t.Fatal(err)
	}
}
