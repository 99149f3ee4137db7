package remote

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/berth-dev/berth/internal/errdefs"
	"github.com/berth-dev/berth/service"
)

// Exec runs a command in a container: POST
// /libpod/containers/{name}/exec, then /libpod/exec/{id}/start, whose
// hijacked answer carries the multiplexed output, then the exit code
// from /libpod/exec/{id}/json. Only a process without stdin or a
// terminal is supported (the hijacked stream is read, never written).
func (c *Client) Exec(ctx context.Context, name string, latest bool, o service.ExecOptions) (*service.ExecResult, error) {
	if o.Interactive || o.Terminal {
		return nil, errdefs.New(errdefs.ErrNotImplemented, "exec -i and -t are not supported with --remote")
	}
	if latest {
		id, err := c.latest(ctx)
		if err != nil {
			return nil, err
		}
		name = id
	}
	env, err := execEnv(o)
	if err != nil {
		return nil, err
	}
	body := map[string]any{"AttachStdin": false, "AttachStdout": !o.Detach, "AttachStderr": !o.Detach, "Tty": false,
		"Cmd": o.Command, "Env": env, "WorkingDir": o.WorkDir, "User": o.User, "Privileged": o.Privileged}
	var created struct {
		ID string `json:"Id"`
	}
	if err := c.do(ctx, http.MethodPost, "/containers/"+url.PathEscape(name)+"/exec", nil, body, &created); err != nil {
		return nil, err
	}
	path := "/exec/" + url.PathEscape(created.ID)
	if o.Detach {
		if err := c.do(ctx, http.MethodPost, path+"/start", nil, map[string]any{"Detach": true}, nil); err != nil {
			return nil, err
		}
		return &service.ExecResult{SessionID: created.ID, Detached: true}, nil
	}
	resp, err := c.request(ctx, http.MethodPost, path+"/start", nil, map[string]any{"Detach": false, "Tty": false})
	if err != nil {
		return nil, err
	}
	err = demux(resp.Body, o.Stdout, o.Stderr)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	// The stream ends when the process does; its exit code may land a
	// moment later.
	for i := 0; ; i++ {
		var info struct {
			ExitCode int  `json:"ExitCode"`
			Running  bool `json:"Running"`
		}
		if err := c.do(ctx, http.MethodGet, path+"/json", nil, nil, &info); err != nil {
			return nil, err
		}
		if !info.Running || i == 100 {
			return &service.ExecResult{ExitCode: info.ExitCode}, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// execEnv resolves exec's environment on the client's side: env files,
// then -e, a bare KEY taking the client's value.
func execEnv(o service.ExecOptions) ([]string, error) {
	var all, out []string
	for _, f := range o.EnvFiles {
		lines, err := service.ParseEnvFile(f)
		if err != nil {
			return nil, err
		}
		all = append(all, lines...)
	}
	for _, e := range append(all, o.Env...) {
		if !strings.Contains(e, "=") {
			v, ok := os.LookupEnv(e)
			if !ok {
				continue
			}
			e += "=" + v
		}
		out = append(out, e)
	}
	return out, nil
}
