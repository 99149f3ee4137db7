// Package remote is berth's client of a berth (or podman) service: the
// libpod flavour of its REST API over a unix socket, TCP or SSH. Its
// Client implements service.Engine, so that `berth --remote` prints what
// local berth prints, only from another source (podman-remote's idea,
// pkg/bindings plus pkg/domain/infra/tunnel, in one small package).
package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/connection"
	"github.com/berth-dev/berth/internal/errdefs"
)

// apiPrefix is the libpod API version the client speaks (podman 5's).
const apiPrefix = "/v5.0.0/libpod"

// Client talks to one service.
type Client struct {
	http *http.Client
	uri  string
	// dial opens a connection to the service, for the requests whose
	// connection is hijacked (an interactive exec).
	dial  func(ctx context.Context) (net.Conn, error)
	close func() error
}

// New connects to the service at uri (see connection.ParseURI); identity
// is the SSH private key for ssh:// URIs ("" tries the agent and
// ~/.ssh/id_*). For ssh the SSH session is set up here, so a wrong key or
// an unknown host fails at once.
func New(ctx context.Context, uri, identity string) (*Client, error) {
	u, err := connection.ParseURI(uri)
	if err != nil {
		return nil, err
	}
	c := &Client{uri: uri, close: func() error { return nil }}
	var dial func(ctx context.Context) (net.Conn, error)
	switch u.Scheme {
	case "unix":
		var d net.Dialer
		dial = func(ctx context.Context) (net.Conn, error) { return d.DialContext(ctx, "unix", u.Path) }
	case "tcp":
		var d net.Dialer
		dial = func(ctx context.Context) (net.Conn, error) { return d.DialContext(ctx, "tcp", u.Host) }
	case "ssh":
		sc, err := dialSSH(ctx, u, identity)
		if err != nil {
			return nil, err
		}
		c.close = sc.Close
		dial = func(context.Context) (net.Conn, error) { return sc.Dial("unix", u.Path) }
	}
	c.dial = func(ctx context.Context) (net.Conn, error) {
		conn, err := dial(ctx)
		if err != nil {
			return nil, fmt.Errorf("cannot connect to the berth service at %s: %w", uri, err)
		}
		return conn, nil
	}
	c.http = &http.Client{Transport: &http.Transport{
		DialContext:        func(ctx context.Context, _, _ string) (net.Conn, error) { return c.dial(ctx) },
		DisableCompression: true,
	}}
	return c, nil
}

// Close ends the client's connections (and its SSH session).
func (c *Client) Close() error {
	c.http.CloseIdleConnections()
	return c.close()
}

// request sends method path?query with an optional JSON body. A response
// other than 2xx or 304 becomes an error carrying the service's message.
func (c *Client) request(ctx context.Context, method, path string, query url.Values, body any) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(data)
	}
	target := "http://d" + apiPrefix + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, errdefs.New(errdefs.ErrUnavailable, err.Error())
	}
	if resp.StatusCode/100 == 2 || resp.StatusCode == http.StatusNotModified {
		return resp, nil
	}
	defer resp.Body.Close()
	return nil, responseError(resp)
}

// do sends a request and decodes a JSON answer into out (nil: discard).
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	resp, err := c.request(ctx, method, path, query, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil || resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusNotModified {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("decoding the answer to %s %s: %w", method, path, err)
	}
	return nil
}

// sentinels are the engine errors a message can end with: the service
// sends err.Error(), whose last part is the sentinel's text, so matching
// it gives the CLI back the error it would have had locally (and so the
// same exit code).
var sentinels = []error{
	define.ErrNoSuchCtr, define.ErrNoSuchImage, define.ErrNoSuchPod, define.ErrNoSuchVolume,
	define.ErrVolumeExists, define.ErrVolumeBeingUsed, define.ErrNoSuchExecSession, define.ErrCtrExists,
	define.ErrNameInUse, define.ErrImageInUse, define.ErrAmbiguous, define.ErrCtrStateInvalid,
	define.ErrCtrRemoved, define.ErrInvalidArg, define.ErrCtrStopped, define.ErrNoSuchUser,
	define.ErrNotImplemented, define.ErrOCIRuntimeNotFound, define.ErrOCIRuntimePermissionDenied, define.ErrOCIRuntime,
}

// remoteError is the service's message with the error it stands for.
type remoteError struct {
	msg string
	err error
}

func (e *remoteError) Error() string { return e.msg }
func (e *remoteError) Unwrap() error { return e.err }

// responseError reads podman's (and docker's) error body
// {"message": ..., "cause": ..., "response": CODE}.
func responseError(resp *http.Response) error {
	var body struct {
		Message string `json:"message"`
		Cause   string `json:"cause"`
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if json.Unmarshal(data, &body) != nil || body.Message == "" {
		body.Message = strings.TrimSpace(string(data))
		if body.Message == "" {
			body.Message = resp.Status
		}
	}
	return newRemoteError(resp.StatusCode, body.Message, body.Cause)
}

func newRemoteError(status int, msg, cause string) error {
	for _, s := range sentinels {
		if t := s.Error(); strings.HasSuffix(msg, t) || cause == t {
			return &remoteError{msg: msg, err: s}
		}
	}
	cat := errdefs.ErrUnavailable
	switch status {
	case http.StatusNotFound:
		cat = errdefs.ErrNotFound
	case http.StatusBadRequest:
		cat = errdefs.ErrInvalidArgument
	case http.StatusConflict:
		cat = errdefs.ErrConflict
	case http.StatusNotImplemented:
		cat = errdefs.ErrNotImplemented
	}
	return &remoteError{msg: msg, err: cat}
}

// filtersQuery turns key=value filters into the API's JSON
// {"key": ["value", ...]} parameter.
func filtersQuery(raw []string) (string, error) {
	if len(raw) == 0 {
		return "", nil
	}
	m := map[string][]string{}
	for _, f := range raw {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return "", errdefs.New(errdefs.ErrInvalidArgument, fmt.Sprintf("invalid filter %q: must be key=value", f))
		}
		m[k] = append(m[k], v)
	}
	data, err := json.Marshal(m)
	return string(data), err
}
