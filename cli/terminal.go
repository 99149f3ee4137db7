package cli

import (
	"context"
	"github.com/berth-dev/berth/internal/detachkeys"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
	"golang.org/x/term"
	"os"
	"os/signal"
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

// detachKeySequence parses docker's detach-keys format (internal/detachkeys).
func detachKeySequence(s string) ([]byte, error) { return detachkeys.Parse(s) }
