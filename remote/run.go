package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/detachkeys"

	"github.com/berth-dev/berth/service"
	"github.com/berth-dev/berth/spec"
)

// RunAttached is an attached `run` on the service, podman-remote's way:
// create, attach (a hijacked connection), start, copy the streams until
// the container's output ends, then wait for its exit code. With --rm
// the client removes the container after the wait, as local berth's
// attached run does; a container that cannot start is removed again.
// detachKeys ("" for the default) are watched for on stdin by the client
// (and given to the service, so that its own default does not detach on
// other keys): typing them returns service.ErrDetach with the container
// left running.
func (c *Client) RunAttached(ctx context.Context, s *spec.ContainerSpec, copts service.CreateOptions, o service.AttachStreams, resize <-chan [2]uint16, detachKeys string) (string, int, error) {
	keys, err := detachkeys.Parse(detachKeys)
	if err != nil {
		return "", 0, fmt.Errorf("%v: %w", err, define.ErrInvalidArg)
	}
	remove := s.Remove
	s.Remove = false
	id, err := c.Create(ctx, s, copts)
	if err != nil {
		return "", 0, err
	}
	path := "/containers/" + url.PathEscape(id)
	q := url.Values{"stream": {"true"}, "stdout": {"true"}, "stderr": {"true"}, "stdin": {strconv.FormatBool(s.Stdin)}}
	if detachKeys != "" {
		q.Set("detachKeys", detachKeys)
	}
	// The service answers once it is connected to the container's
	// streams: starting before that could lose a short-lived container's
	// output, or leave the attach waiting on streams that already ended.
	conn, out, err := c.hijack(ctx, path+"/attach?"+q.Encode(), nil)
	if err != nil {
		_ = c.do(ctx, http.MethodDelete, path, url.Values{"force": {"true"}, "v": {"true"}}, nil, nil)
		return id, 0, err
	}
	defer conn.Close()
	if err := c.do(ctx, http.MethodPost, path+"/start", nil, nil, nil); err != nil {
		_ = c.do(ctx, http.MethodDelete, path, url.Values{"force": {"true"}, "v": {"true"}}, nil, nil)
		return id, 0, err
	}
	if resize != nil {
		rctx, cancel := context.WithCancel(ctx)
		defer cancel()
		go c.followResize(rctx, path, resize)
	}
	var detached atomic.Bool
	if s.Stdin {
		go func() {
			if copyInputDetachable(conn, o.Stdin, keys) {
				detached.Store(true)
				_ = conn.Close()
			}
		}()
	}
	if s.Terminal {
		_, err = io.Copy(o.Stdout, out)
	} else {
		err = demux(out, o.Stdout, o.Stderr)
	}
	if detached.Load() {
		return id, 0, service.ErrDetach
	}
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return id, 0, err
	}
	var code int32
	if err := c.do(ctx, http.MethodPost, path+"/wait", nil, nil, &code); err != nil {
		return id, 0, err
	}
	if remove {
		_ = c.do(ctx, http.MethodDelete, path, url.Values{"force": {"true"}, "v": {"true"}}, nil, nil)
	}
	return id, int(code), nil
}
