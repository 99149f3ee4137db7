package cli

import (
	"context"
	"fmt"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
	"golang.org/x/term"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// terminal puts the user's terminal in raw mode for -it and forwards
// window size changes (SIGWINCH) to the container.
type terminal struct {
	fd     int
	state  *term.State
	resize chan [2]uint16
	active bool
	stop   func()
}

func newTerminal(cmd *cobra.Command, interactive bool) (*terminal, error) {
	t := &terminal{fd: -1}
	in, ok := cmd.InOrStdin().(*os.File)
	if !interactive || !ok || !term.IsTerminal(int(in.Fd())) {
		return t, nil
	}
	t.fd = int(in.Fd())
	t.resize = make(chan [2]uint16, 4)
	t.sendSize()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGWINCH)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-sig:
				t.sendSize()
			case <-done:
				return
			}
		}
	}()
	t.stop = func() { signal.Stop(sig); close(done) }
	return t, nil
}

func (t *terminal) sendSize() {
	w, h, err := term.GetSize(t.fd)
	if err != nil {
		return
	}
	select {
	case t.resize <- [2]uint16{uint16(h), uint16(w)}:
	default:
	}
}

func (t *terminal) makeRaw() {
	if t.fd < 0 || t.active {
		return
	}
	st, err := term.MakeRaw(t.fd)
	if err == nil {
		t.state, t.active = st, true
	}
}

func (t *terminal) restore() {
	if t.active {
		_ = term.Restore(t.fd, t.state)
		t.active = false
	}
	if t.stop != nil {
		t.stop()
		t.stop = nil
	}
}

// proxySignals forwards the signals the CLI receives to the container
// (--sig-proxy), until ctx ends.
func proxySignals(ctx context.Context, c *service.Container) {
	sig := make(chan os.Signal, 8)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2)
	go func() {
		defer signal.Stop(sig)
		for {
			select {
			case s := <-sig:
				_ = c.Kill(context.WithoutCancel(ctx), s.(syscall.Signal))
			case <-ctx.Done():
				return
			}
		}
	}()
}

// detachKeySequence parses docker's detach-keys format: "ctrl-p,ctrl-q",
// letters and "ctrl-@", "ctrl-[" ... An empty string gives the default.
func detachKeySequence(s string) ([]byte, error) {
	if s == "" {
		s = "ctrl-p,ctrl-q"
	}
	var keys []byte
	for _, k := range strings.Split(s, ",") {
		lk := strings.ToLower(k)
		switch {
		case len(k) == 1:
			keys = append(keys, k[0])
		case strings.HasPrefix(lk, "ctrl-") && len(k) == 6:
			c := lk[5]
			switch {
			case c >= 'a' && c <= 'z':
				keys = append(keys, c-'a'+1)
			case c == '@':
				keys = append(keys, 0)
			case c == '[':
				keys = append(keys, 27)
			case c == '\\':
				keys = append(keys, 28)
			case c == ']':
				keys = append(keys, 29)
			case c == '^':
				keys = append(keys, 30)
			case c == '_':
				keys = append(keys, 31)
			default:
				return nil, fmt.Errorf("invalid detach keys %q: unknown key %q", s, k)
			}
		default:
			return nil, fmt.Errorf("invalid detach keys %q: unknown key %q", s, k)
		}
	}
	return keys, nil
}
