package remote

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"
)

// dialSSH opens an SSH session to u's host, as podman-remote does: the
// API's connections are then unix-socket channels (direct-streamlocal)
// to u.Path on the far side. Keys come from identity, else the ssh-agent,
// else ~/.ssh/id_*; the host key must be in ~/.ssh/known_hosts.
func dialSSH(ctx context.Context, u *url.URL, identity string) (*ssh.Client, error) {
	auth, err := sshAuth(identity)
	if err != nil {
		return nil, err
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return nil, fmt.Errorf("ssh: locating known_hosts: %w", err)
	}
	khPath := filepath.Join(home, ".ssh", "known_hosts")
	hostKeys, err := knownhosts.New(khPath)
	if errors.Is(err, fs.ErrNotExist) {
		// No known_hosts yet: every host is unknown.
		hostKeys = func(string, net.Addr, ssh.PublicKey) error { return &knownhosts.KeyError{} }
	} else if err != nil {
		return nil, fmt.Errorf("ssh: reading %s: %w", khPath, err)
	}
	name := u.User.Username()
	if name == "" {
		cur, err := user.Current()
		if err != nil {
			return nil, err
		}
		name = cur.Username
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "22")
	}
	cfg := &ssh.ClientConfig{
		User: name,
		Auth: auth,
		HostKeyCallback: func(hostname string, remote net.Addr, key ssh.PublicKey) error {
			err := hostKeys(hostname, remote, key)
			var ke *knownhosts.KeyError
			if errors.As(err, &ke) && len(ke.Want) == 0 {
				return fmt.Errorf("host %s is not in %s: add its key (ssh-keyscan -p PORT HOST >> %s) and try again", hostname, khPath, khPath)
			}
			if errors.As(err, &ke) {
				return fmt.Errorf("host %s does not match its key in %s (line %d): possible man-in-the-middle attack", hostname, khPath, ke.Want[0].Line)
			}
			return err
		},
		Timeout: 30 * time.Second,
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return nil, fmt.Errorf("ssh: %w", err)
	}
	c, chans, reqs, err := ssh.NewClientConn(conn, host, cfg)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("ssh: connecting to %s: %w", host, err)
	}
	return ssh.NewClient(c, chans, reqs), nil
}

// sshAuth returns the ways to log in: the identity file when given (and
// only it, as podman does), else the agent's keys and the usual key files.
func sshAuth(identity string) ([]ssh.AuthMethod, error) {
	if identity != "" {
		s, err := readKey(identity)
		if err != nil {
			return nil, err
		}
		return []ssh.AuthMethod{ssh.PublicKeys(s)}, nil
	}
	var methods []ssh.AuthMethod
	if sock := os.Getenv("SSH_AUTH_SOCK"); sock != "" {
		if conn, err := net.Dial("unix", sock); err == nil {
			methods = append(methods, ssh.PublicKeysCallback(agent.NewClient(conn).Signers))
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		var signers []ssh.Signer
		for _, n := range []string{"id_ed25519", "id_ecdsa", "id_rsa"} {
			if s, err := readKey(filepath.Join(home, ".ssh", n)); err == nil {
				signers = append(signers, s)
			}
		}
		if len(signers) > 0 {
			methods = append(methods, ssh.PublicKeys(signers...))
		}
	}
	if len(methods) == 0 {
		return nil, errors.New("ssh: no key to log in with: give --identity, run an ssh-agent or create ~/.ssh/id_ed25519")
	}
	return methods, nil
}

func readKey(path string) (ssh.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ssh: reading identity: %w", err)
	}
	s, err := ssh.ParsePrivateKey(data)
	if err != nil {
		var pe *ssh.PassphraseMissingError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("ssh: identity %s is protected by a passphrase: load it into ssh-agent instead", path)
		}
		return nil, fmt.Errorf("ssh: identity %s: %w", path, err)
	}
	return s, nil
}
