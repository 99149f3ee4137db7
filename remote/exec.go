package remote

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/service"
)

// Exec runs a command in a container: POST
// /libpod/containers/{name}/exec, then /libpod/exec/{id}/start, whose
// hijacked answer carries the multiplexed output, then the exit code
// from /libpod/exec/{id}/json. With -i the connection is hijacked and
// stdin sent on it; with -t the output is the terminal's raw stream and
// the window size follows o.Resize. The service's detach keys are its
// default ones.
func (c *Client) Exec(ctx context.Context, name string, latest bool, o service.ExecOptions) (*service.ExecResult, error) {
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
	body := map[string]any{"AttachStdin": o.Interactive && !o.Detach, "AttachStdout": !o.Detach, "AttachStderr": !o.Detach, "Tty": o.Terminal,
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
	if err := c.execStream(ctx, path, o); err != nil {
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

// execStream starts the session attached and copies its streams until
// the process ends.
func (c *Client) execStream(ctx context.Context, path string, o service.ExecOptions) error {
	start := map[string]any{"Detach": false, "Tty": o.Terminal}
	if !o.Interactive && !o.Terminal {
		resp, err := c.request(ctx, http.MethodPost, path+"/start", nil, start)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		return demux(resp.Body, o.Stdout, o.Stderr)
	}
	conn, out, err := c.hijack(ctx, path+"/start", start)
	if err != nil {
		return err
	}
	defer conn.Close()
	if o.Resize != nil {
		rctx, cancel := context.WithCancel(ctx)
		defer cancel()
		go c.followResize(rctx, path, o.Resize)
	}
	if o.Interactive {
		go copyInput(conn, o.Stdin)
	}
	if o.Terminal {
		_, err = io.Copy(o.Stdout, out)
		return err
	}
	return demux(out, o.Stdout, o.Stderr)
}

// followResize sends each window size (height, width) to the session.
func (c *Client) followResize(ctx context.Context, path string, sizes <-chan [2]uint16) {
	for {
		select {
		case <-ctx.Done():
			return
		case s, ok := <-sizes:
			if !ok {
				return
			}
			q := url.Values{"h": {strconv.Itoa(int(s[0]))}, "w": {strconv.Itoa(int(s[1]))}}
			_ = c.do(ctx, http.MethodPost, path+"/resize", q, nil, nil)
		}
	}
}
