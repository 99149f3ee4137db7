package remote

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"github.com/berth-dev/berth/internal/detachkeys"
	"io"
	"net"
	"net/http"

	"github.com/berth-dev/berth/internal/errdefs"
)

// hijack sends POST path with body on a connection of its own, asking
// for an upgrade, and returns the connection once the service answered
// 101 (or 200, which also leaves the raw stream on the connection): its
// reader then carries the output, its writer the input.
func (c *Client) hijack(ctx context.Context, path string, body any) (net.Conn, *bufio.Reader, error) {
	conn, req, err := c.hijackSend(ctx, path, body)
	if err != nil {
		return nil, nil, err
	}
	br, err := hijackHead(conn, req)
	if err != nil {
		return nil, nil, err
	}
	return conn, br, nil
}

// hijackSend writes the upgrade request on a new connection without
// waiting for the answer, for callers with something to do in between.
func (c *Client) hijackSend(ctx context.Context, path string, body any) (net.Conn, *http.Request, error) {
	// No body at all when there is none: the service does not read one
	// and its bytes would reach the container's stdin.
	var data []byte
	if body != nil {
		var err error
		if data, err = json.Marshal(body); err != nil {
			return nil, nil, err
		}
	}
	conn, err := c.dial(ctx)
	if err != nil {
		return nil, nil, errdefs.New(errdefs.ErrUnavailable, err.Error())
	}
	req, err := http.NewRequest(http.MethodPost, "http://d"+apiPrefix+path, bytes.NewReader(data))
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "tcp")
	if err := req.Write(conn); err != nil {
		conn.Close()
		return nil, nil, err
	}
	return conn, req, nil
}

// hijackHead reads the answer to req on conn; on failure conn is closed.
func hijackHead(conn net.Conn, req *http.Request) (*bufio.Reader, error) {
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		conn.Close()
		return nil, err
	}
	if resp.StatusCode != http.StatusSwitchingProtocols && resp.StatusCode != http.StatusOK {
		defer conn.Close()
		return nil, responseError(resp)
	}
	return br, nil
}

// closeWrite half-closes conn (end of stdin) where the transport can:
// unix and TCP sockets and SSH channels.
func closeWrite(conn net.Conn) {
	if cw, ok := conn.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
	}
}

// copyInputDetachable is copyInput watching for the detach keys: on them
// it reports true without sending them, and the caller hangs up (the
// service then leaves the container running, as a detach does).
func copyInputDetachable(conn net.Conn, stdin io.Reader, keys []byte) (detached bool) {
	return detachkeys.Copy(conn, stdin, keys, func() { closeWrite(conn) })
}

// copyInput sends stdin to the hijacked connection, then half-closes it.
func copyInput(conn net.Conn, stdin io.Reader) {
	if stdin != nil {
		_, _ = io.Copy(conn, stdin)
	}
	closeWrite(conn)
}
