package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/berth-dev/berth/internal/connection"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// remoteOptions are podman's global flags for driving a service instead
// of the local engine.
type remoteOptions struct {
	remote              bool
	url, conn, identity string
}

// RemoteFunc connects to the berth service at uri (identity: the SSH key
// for ssh://) and returns the engine that speaks to it. cmd/berth wires
// it, so that cli does not link the HTTP and SSH clients.
type RemoteFunc func(ctx context.Context, uri, identity string) (service.Engine, error)

// WithRemote gives --remote its client.
func WithRemote(fn RemoteFunc) Option { return func(d *Deps) { d.newRemote = fn } }

// remoteCommands are the commands that work with --remote, by their path
// below berth. Every other command fails in remote mode instead of
// quietly running on the local engine. (`system connection` only edits a
// local file, so it works in both modes.)
var remoteCommands = map[string]bool{
	"version": true, "info": true, "system info": true,
	"ps": true, "inspect": true, "create": true, "run": true, "init": true, "start": true, "stop": true,
	"restart": true, "kill": true, "pause": true, "unpause": true, "rm": true, "logs": true, "wait": true, "exec": true,
	"container ps": true, "container inspect": true, "container create": true, "container run": true,
	"container init": true, "container start": true, "container stop": true, "container restart": true,
	"container kill": true, "container pause": true, "container unpause": true, "container rm": true,
	"container logs": true, "container wait": true, "container exec": true,
	"images": true, "image list": true, "pull": true, "image pull": true, "rmi": true, "image rm": true,
	"volume ls": true, "volume inspect": true, "volume create": true, "volume rm": true,
	"network ls": true, "network create": true, "network rm": true,
	"pod create": true, "pod ps": true, "pod start": true, "pod stop": true, "pod restart": true,
	"pod kill": true, "pod pause": true, "pod unpause": true, "pod rm": true,
	"system connection": true, "system connection add": true, "system connection list": true,
	"system connection remove": true, "system connection default": true, "system connection rename": true,
}

// worksRemotely reports whether cmd is one of remoteCommands.
func worksRemotely(cmd *cobra.Command) bool {
	path := cmd.CommandPath()
	if i := strings.IndexByte(path, ' '); i >= 0 {
		path = path[i+1:]
	} else {
		path = ""
	}
	return remoteCommands[path]
}

func addRemoteFlags(f *pflag.FlagSet, o *remoteOptions) {
	f.BoolVarP(&o.remote, "remote", "r", false, "access a remote berth service (default unix://"+connection.DefaultSocket+" or the default connection)")
	f.StringVar(&o.url, "url", "", "URI of the berth service (unix:///PATH, tcp://HOST:PORT, ssh://[USER@]HOST[:PORT]/PATH; implies --remote; env CONTAINER_HOST)")
	f.StringVarP(&o.conn, "connection", "c", "", "connection to use for remote berth (see berth system connection; env CONTAINER_CONNECTION)")
	f.StringVar(&o.identity, "identity", "", "path to the SSH identity file (env CONTAINER_SSHKEY)")
}

// isRemote reports whether the command line or the environment asks for
// a remote service.
func (d *Deps) isRemote() bool {
	o := d.global.remoteOpts
	return o.remote || o.url != "" || o.conn != "" || os.Getenv("CONTAINER_HOST") != "" || os.Getenv("CONTAINER_CONNECTION") != ""
}

// remoteTarget resolves which service to use and with which SSH key:
// flags before the environment, --url before a connection, and with only
// --remote the default connection or else root's socket.
func (d *Deps) remoteTarget() (uri, identity string, err error) {
	o := d.global.remoteOpts
	identity = o.identity
	if identity == "" {
		identity = os.Getenv("CONTAINER_SSHKEY")
	}
	if o.url != "" && o.conn != "" {
		return "", "", usageError("--url and --connection cannot be used together")
	}
	switch {
	case o.url != "":
		return o.url, identity, nil
	case o.conn != "":
		return d.lookupConnection(o.conn, identity)
	case os.Getenv("CONTAINER_HOST") != "":
		return os.Getenv("CONTAINER_HOST"), identity, nil
	case os.Getenv("CONTAINER_CONNECTION") != "":
		return d.lookupConnection(os.Getenv("CONTAINER_CONNECTION"), identity)
	}
	path, err := connection.Path()
	if err != nil {
		return "", "", err
	}
	f, err := connection.Load(path)
	if err != nil {
		return "", "", err
	}
	if c, ok := f.Default(); ok {
		return c.URI, firstNonEmpty(identity, c.Identity), nil
	}
	return connection.DefaultURI, identity, nil
}

func (d *Deps) lookupConnection(name, identity string) (string, string, error) {
	path, err := connection.Path()
	if err != nil {
		return "", "", err
	}
	f, err := connection.Load(path)
	if err != nil {
		return "", "", err
	}
	c, err := f.Lookup(name)
	if err != nil {
		return "", "", err
	}
	return c.URI, firstNonEmpty(identity, c.Identity), nil
}

// checkRemote runs before every command: in remote mode a command that
// cannot work remotely fails with one line (it never runs locally), and
// a build without the client hands the command line to berth-full.
func (d *Deps) checkRemote(cmd *cobra.Command) error {
	if !d.isRemote() {
		return nil
	}
	if !worksRemotely(cmd) {
		return &codedError{error: fmt.Errorf("`%s` is not supported with --remote", cmd.CommandPath()), code: 125}
	}
	if d.newRemote == nil {
		if leanBuild {
			return service.ErrNeedsFull
		}
		return errors.New("this build of berth has no remote client")
	}
	return nil
}

// notRemote is the error of a flag or argument that the remote engine
// cannot serve.
func notRemote(what string) error {
	return &codedError{error: fmt.Errorf("%s is not supported with --remote", what), code: 125}
}

// Engine returns what the verbs run on: the remote service in remote
// mode, else the local runtime.
func (d *Deps) Engine(ctx context.Context) (service.Engine, error) {
	if d.engine != nil {
		return d.engine, nil
	}
	if d.isRemote() {
		uri, identity, err := d.remoteTarget()
		if err != nil {
			return nil, err
		}
		e, err := d.newRemote(ctx, uri, identity)
		if err != nil {
			return nil, err
		}
		d.engine = e
		return e, nil
	}
	rt, err := d.Runtime(ctx)
	if err != nil {
		return nil, err
	}
	d.engine = service.NewLocalEngine(rt)
	return d.engine, nil
}

// closeEngine ends a remote engine's connections.
func (d *Deps) closeEngine() {
	if c, ok := d.engine.(io.Closer); ok {
		_ = c.Close()
	}
	d.engine = nil
}

// remoteValueFlags are the remote flags that take a value, and
// remoteBoolFlags those that do not, for commandName.
var (
	remoteValueFlags = []string{"--url", "--connection", "-c", "--identity", "--host", "-H", "--context"}
	remoteBoolFlags  = []string{"--remote", "-r"}
)
