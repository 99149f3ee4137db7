package api

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"
)

// Listen opens the URI the service was asked to serve: unix:///path (made
// 0660; a stale socket file is replaced, a live service refused) or
// tcp://HOST:PORT, only when asked for.
func Listen(uri string) (net.Listener, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return nil, fmt.Errorf("invalid service URI %q: %w", uri, err)
	}
	switch u.Scheme {
	case "unix":
		path := u.Path
		if path == "" {
			path = u.Opaque
		}
		if path == "" || !filepath.IsAbs(path) {
			return nil, fmt.Errorf("invalid service URI %q: unix sockets need an absolute path", uri)
		}
		return listenUnix(path)
	case "tcp":
		if u.Host == "" || u.Port() == "" {
			return nil, fmt.Errorf("invalid service URI %q: tcp needs HOST:PORT", uri)
		}
		return net.Listen("tcp", u.Host)
	}
	return nil, fmt.Errorf("invalid service URI %q: only unix:// and tcp:// are served", uri)
}

func listenUnix(path string) (net.Listener, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	if _, err := os.Lstat(path); err == nil {
		if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
			c.Close()
			return nil, fmt.Errorf("a service is already listening on %s", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("removing the stale socket %s: %w", path, err)
		}
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(path, 0o660); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// ServeURI listens on uri and serves b there (see Serve).
func ServeURI(ctx context.Context, b Backend, uri string, idle time.Duration) error {
	l, err := Listen(uri)
	if err != nil {
		return err
	}
	return New(b).Serve(ctx, l, idle)
}

// Serve answers on l until ctx ends or, with idle > 0, until no request
// has been in flight for that long. A unix socket file is removed on
// return.
func (s *Server) Serve(ctx context.Context, l net.Listener, idle time.Duration) error {
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 30 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(idleTick(idle))
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
			case <-tick.C:
				since := s.IdleSince()
				if idle <= 0 || since.IsZero() || time.Since(since) < idle {
					continue
				}
			}
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = srv.Shutdown(sctx)
			cancel()
			return
		}
	}()
	err := srv.Serve(l)
	<-done
	if ul, ok := l.(*net.UnixListener); ok {
		_ = os.Remove(ul.Addr().String())
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

func idleTick(idle time.Duration) time.Duration {
	if idle > 0 && idle < time.Second {
		return idle / 2
	}
	if idle <= 0 {
		return time.Hour
	}
	return min(time.Second, idle/2)
}
