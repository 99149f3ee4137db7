package build

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/berth-dev/berth/engine/define"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// SSHSource is what one --ssh ID gives RUN --mount=type=ssh: an agent
// socket to forward, or private keys an agent of the build serves.
type SSHSource struct {
	// Socket is the agent socket forwarded; "" when Keys are served.
	Socket string
	// Keys are the private keys read from the key files.
	Keys []agent.AddedKey
}

// ParseSSH reads --ssh values the way podman and docker do:
// default|ID[=SOCKET|KEYFILE[,KEYFILE...]]. An ID alone is the agent of
// $SSH_AUTH_SOCK; a path that is a socket is forwarded; otherwise every
// path is a private key file (unencrypted: nothing can ask for a
// passphrase), served by an agent the build runs for the step.
func ParseSSH(values []string, getenv func(string) string) (map[string]*SSHSource, error) {
	out := map[string]*SSHSource{}
	for _, v := range values {
		id, paths, hasPaths := strings.Cut(v, "=")
		if id == "" || strings.ContainsAny(id, ",") {
			return nil, fmt.Errorf("invalid --ssh %q: default|ID[=SOCKET|KEYFILE[,KEYFILE...]]: %w", v, define.ErrInvalidArg)
		}
		if _, dup := out[id]; dup {
			return nil, fmt.Errorf("--ssh %s given twice: %w", id, define.ErrInvalidArg)
		}
		if !hasPaths {
			sock := getenv("SSH_AUTH_SOCK")
			if sock == "" {
				return nil, fmt.Errorf("--ssh %s: SSH_AUTH_SOCK is not set: start an ssh-agent or give a socket or key files (--ssh %s=PATH): %w", id, id, define.ErrInvalidArg)
			}
			paths = sock
		}
		src, err := sshSource(id, strings.Split(paths, ","))
		if err != nil {
			return nil, err
		}
		out[id] = src
	}
	return out, nil
}

// sshSource checks the paths of one --ssh ID: one socket, or key files.
func sshSource(id string, paths []string) (*SSHSource, error) {
	src := &SSHSource{}
	for _, p := range paths {
		if p == "" {
			return nil, fmt.Errorf("--ssh %s: empty path: %w", id, define.ErrInvalidArg)
		}
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("--ssh %s: %w", id, err)
		}
		if info.Mode()&os.ModeSocket != 0 {
			if len(paths) > 1 {
				return nil, fmt.Errorf("--ssh %s: %s is a socket: give either one agent socket or key files: %w", id, p, define.ErrInvalidArg)
			}
			src.Socket = p
			return src, nil
		}
		if info.IsDir() {
			return nil, fmt.Errorf("--ssh %s: %s is a directory, neither an agent socket nor a private key: %w", id, p, define.ErrInvalidArg)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("--ssh %s: %w", id, err)
		}
		key, err := ssh.ParseRawPrivateKey(data)
		if err != nil {
			var pm *ssh.PassphraseMissingError
			if errors.As(err, &pm) {
				return nil, fmt.Errorf("--ssh %s: %s is protected by a passphrase: add it to an ssh-agent and give its socket: %w", id, p, define.ErrInvalidArg)
			}
			return nil, fmt.Errorf("--ssh %s: %s is neither an agent socket nor a private key: %v: %w", id, p, err, define.ErrInvalidArg)
		}
		src.Keys = append(src.Keys, agent.AddedKey{PrivateKey: key, Comment: filepath.Base(p)})
	}
	return src, nil
}

// sshAgent is the socket one RUN step's ssh mount binds into the
// container: a private directory with a socket whose connections go to
// the forwarded agent, or to an in-process agent of the key files that
// refuses changes. stop ends it and removes the directory.
type sshAgent struct {
	dir, sock string
	ln        net.Listener
	serve     func(net.Conn)
	wg        sync.WaitGroup
	mu        sync.Mutex
	conns     map[net.Conn]struct{}
	closed    bool
}

// startSSHAgent listens on a new socket for src, with the mount's mode
// and owner.
func startSSHAgent(src *SSHSource, mode os.FileMode, uid, gid *uint64) (*sshAgent, error) {
	dir, err := os.MkdirTemp("", "berth-ssh-")
	if err != nil {
		return nil, err
	}
	a := &sshAgent{dir: dir, sock: filepath.Join(dir, "agent.sock"), conns: map[net.Conn]struct{}{}}
	if src.Socket != "" {
		a.serve = forwardTo(src.Socket)
	} else {
		kr := agent.NewKeyring()
		for _, k := range src.Keys {
			if err := kr.Add(k); err != nil {
				os.RemoveAll(dir)
				return nil, fmt.Errorf("ssh agent: %w", err)
			}
		}
		ro := readOnlyAgent{kr.(agent.ExtendedAgent)}
		a.serve = func(c net.Conn) { _ = agent.ServeAgent(ro, c) }
	}
	ln, err := net.Listen("unix", a.sock)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("ssh agent: %w", err)
	}
	a.ln = ln
	if err := a.own(mode, uid, gid); err != nil {
		a.stop()
		return nil, err
	}
	a.wg.Add(1)
	go a.accept()
	return a, nil
}

func (a *sshAgent) own(mode os.FileMode, uid, gid *uint64) error {
	if err := os.Chmod(a.sock, mode); err != nil {
		return fmt.Errorf("ssh agent: %w", err)
	}
	if uid == nil && gid == nil {
		return nil // the builder's user: root in the container
	}
	u, g := -1, -1
	if uid != nil {
		u = int(*uid)
	}
	if gid != nil {
		g = int(*gid)
	}
	if err := os.Lchown(a.sock, u, g); err != nil {
		return fmt.Errorf("ssh agent: %w", err)
	}
	return nil
}

func (a *sshAgent) accept() {
	defer a.wg.Done()
	for {
		c, err := a.ln.Accept()
		if err != nil {
			return
		}
		a.mu.Lock()
		if a.closed {
			a.mu.Unlock()
			c.Close()
			return
		}
		a.conns[c] = struct{}{}
		a.wg.Add(1)
		a.mu.Unlock()
		go func() {
			defer a.wg.Done()
			a.serve(c)
			c.Close()
			a.mu.Lock()
			delete(a.conns, c)
			a.mu.Unlock()
		}()
	}
}

// forwardTo relays each connection to the agent at sock, byte for byte:
// the container talks to the user's agent with every extension it has.
func forwardTo(sock string) func(net.Conn) {
	return func(c net.Conn) {
		up, err := net.Dial("unix", sock)
		if err != nil {
			return
		}
		done := make(chan struct{})
		go func() {
			_, _ = io.Copy(up, c)
			up.Close()
			c.Close()
			close(done)
		}()
		_, _ = io.Copy(c, up)
		c.Close() // ends the other copy: stop closes c, the agent up
		up.Close()
		<-done
	}
}

// stop closes the socket and every connection, waits for the goroutines
// and removes the directory.
func (a *sshAgent) stop() {
	a.mu.Lock()
	a.closed = true
	for c := range a.conns {
		c.Close()
	}
	a.mu.Unlock()
	if a.ln != nil {
		a.ln.Close()
	}
	a.wg.Wait()
	os.RemoveAll(a.dir)
}

// readOnlyAgent serves keys and signatures, and refuses what would change
// the keyring: a RUN command cannot add, remove or lock keys.
type readOnlyAgent struct{ agent.ExtendedAgent }

var errAgentReadOnly = errors.New("the build's ssh agent is read-only")

func (readOnlyAgent) Add(agent.AddedKey) error   { return errAgentReadOnly }
func (readOnlyAgent) Remove(ssh.PublicKey) error { return errAgentReadOnly }
func (readOnlyAgent) RemoveAll() error           { return errAgentReadOnly }
func (readOnlyAgent) Lock([]byte) error          { return errAgentReadOnly }
func (readOnlyAgent) Unlock([]byte) error        { return errAgentReadOnly }
func (readOnlyAgent) Extension(string, []byte) ([]byte, error) {
	return nil, agent.ErrExtensionUnsupported
}

// sshMount mounts the agent of the mount's ID (default: "default") at
// its target (default /run/buildkit/ssh_agent.N, N counting the step's
// ssh mounts), as buildkit does. An ID no --ssh gave is an error when
// required, else the step runs without it (buildkit and buildah skip it;
// the log says so). It returns the socket's path in the container and
// what stops the agent; the cache key does not see the host's socket.
func (b *builder) sshMount(m *instructions.Mount, step *RunStep, n int) (target, rec string, stop func(), err error) {
	stop = func() {}
	if m.Source != "" {
		return "", "", stop, errors.New("RUN --mount=type=ssh does not support source")
	}
	id := m.CacheID
	if id == "" {
		id = "default"
	}
	target = m.Target
	if target == "" {
		target = fmt.Sprintf("/run/buildkit/ssh_agent.%d", n)
	} else if !path.IsAbs(target) {
		target = path.Join(orRoot(step.WorkDir), target)
	}
	rec = "--mount=type=ssh,id=" + id + ",target=" + target
	src, ok := b.opts.SSH[id]
	if !ok {
		if m.Required {
			return "", "", stop, fmt.Errorf("no SSH key %q forwarded: RUN --mount=type=ssh,id=%s,required needs --ssh %s[=SOCKET|KEYFILE]", id, id, id)
		}
		if b.out != nil {
			fmt.Fprintf(b.out, "WARNING: no SSH agent or key was given for id %q (--ssh %s[=SOCKET|KEYFILE]): the step runs without it\n", id, id)
		}
		return "", rec, stop, nil
	}
	mode := os.FileMode(0o600)
	if m.Mode != nil {
		mode = os.FileMode(*m.Mode & 0o7777)
	}
	a, err := startSSHAgent(src, mode, m.UID, m.GID)
	if err != nil {
		return "", "", stop, fmt.Errorf("--ssh %s: %w", id, err)
	}
	step.Volumes = append(step.Volumes, a.sock+":"+target+":ro")
	// The runtime's mount point stays behind empty: not part of the layer.
	step.dropFiles = append(step.dropFiles, strings.TrimPrefix(path.Clean(target), "/"))
	return target, rec, a.stop, nil
}
