package remote

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"github.com/berth-dev/berth/service"
)

// Logs is GET /libpod/containers/{name}/logs for each container in turn,
// its multiplexed stream split back onto opts' stdout and stderr.
func (c *Client) Logs(ctx context.Context, names []string, opts service.LogsOptions) error {
	if opts.Latest {
		id, err := c.latest(ctx)
		if err != nil {
			return err
		}
		names = []string{id}
	}
	q := url.Values{"stdout": {"true"}, "stderr": {"true"}}
	if opts.Follow {
		q.Set("follow", "true")
	}
	if opts.Timestamps {
		q.Set("timestamps", "true")
	}
	if opts.Details {
		q.Set("details", "true")
	}
	if opts.Tail >= 0 {
		q.Set("tail", strconv.Itoa(opts.Tail))
	}
	if !opts.Since.IsZero() {
		q.Set("since", strconv.FormatInt(opts.Since.Unix(), 10))
	}
	if !opts.Until.IsZero() {
		q.Set("until", strconv.FormatInt(opts.Until.Unix(), 10))
	}
	// A name that matches nothing fails before anything is written, as
	// locally.
	for _, n := range names {
		if _, err := c.InspectContainer(ctx, n, false); err != nil {
			return err
		}
	}
	var mu sync.Mutex
	for i, n := range names {
		resp, err := c.request(ctx, http.MethodGet, "/containers/"+url.PathEscape(n)+"/logs", q, nil)
		if err != nil {
			return err
		}
		stdout, stderr := opts.Stdout, opts.Stderr
		// The server sends a frame per line, so a prefix per write is a
		// prefix per line, as locally.
		if prefix := service.LogPrefix(i, n, n, opts.Names, opts.Color); prefix != "" {
			stdout, stderr = service.PrefixWriter(&mu, stdout, prefix), service.PrefixWriter(&mu, stderr, prefix)
		}
		err = demux(resp.Body, stdout, stderr)
		resp.Body.Close()
		if err != nil && ctx.Err() == nil {
			return err
		}
	}
	return nil
}

// demux copies docker's multiplexed stream (8-byte frame headers: stream,
// three zero bytes, big-endian length) to stdout and stderr. A stream
// that does not start with such a header is raw output (a terminal
// container) and goes to stdout as it is.
func demux(r io.Reader, stdout, stderr io.Writer) error {
	br := bufio.NewReader(r)
	var hdr [8]byte
	for first := true; ; first = false {
		if first {
			peek, err := br.Peek(8)
			if len(peek) == 0 && err != nil {
				return nil
			}
			if len(peek) < 8 || peek[0] > 2 || peek[1] != 0 || peek[2] != 0 || peek[3] != 0 {
				_, err := io.Copy(stdout, br)
				return err
			}
		}
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		w := stdout
		if hdr[0] == 2 {
			w = stderr
		}
		if _, err := io.CopyN(w, br, int64(binary.BigEndian.Uint32(hdr[4:]))); err != nil {
			return err
		}
	}
}
