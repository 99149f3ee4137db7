package cli

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/berth-dev/berth/internal/connection"
	"github.com/berth-dev/berth/internal/rootless"
	"github.com/berth-dev/berth/spec"
)

// apiSocketDest is where docker's --use-api-socket puts the socket, the
// path docker clients in the container try first.
const apiSocketDest = "/var/run/docker.sock"

// apiSocketMount is docker 28's --use-api-socket for berth: a bind of the
// berth service's socket (CONTAINER_HOST or DOCKER_HOST when a unix://
// URI, else `berth system service`'s default) at /var/run/docker.sock.
// berth has no daemon of its own, so a service must be listening there.
func apiSocketMount() (spec.Mount, error) {
	uri := ""
	for _, k := range []string{"CONTAINER_HOST", "DOCKER_HOST"} {
		if v := os.Getenv(k); v != "" {
			uri = v
			break
		}
	}
	sock := connection.DefaultSocket
	if rootless.IsRootless() {
		if dir, err := rootless.RunDir(); err == nil {
			sock = filepath.Join(dir, "berth", "berth.sock")
		}
	}
	if uri != "" {
		p, ok := strings.CutPrefix(uri, "unix://")
		if !ok {
			// docker's words.
			return spec.Mount{}, usageError("flag --use-api-socket can only be used with unix sockets: docker endpoint %s incompatible", uri)
		}
		sock = p
	}
	c, err := net.DialTimeout("unix", sock, 2*time.Second)
	if err != nil {
		return spec.Mount{}, usageError("--use-api-socket: no berth service is listening at %s (start one with `berth system service`): %v", sock, err)
	}
	c.Close()
	return spec.Mount{Type: spec.MountBind, Source: sock, Destination: apiSocketDest}, nil
}
