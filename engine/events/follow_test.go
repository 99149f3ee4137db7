package events_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/events"
)

// follower runs Read with Follow in the background.
type follower struct {
	ch   chan define.Event
	done chan error
	stop context.CancelFunc
}

func follow(t *testing.T, l *events.Logger, opts events.ReadOptions) *follower {
	ctx, cancel := context.WithCancel(context.Background())
	f := &follower{ch: make(chan define.Event, 1000), done: make(chan error, 1), stop: cancel}
	opts.Follow = true
	go func() {
		f.done <- l.Read(ctx, opts, func(ev define.Event) error {
			f.ch <- ev
			return nil
		})
	}()
	t.Cleanup(func() {
		cancel()
		<-f.done
	})
	return f
}

// expect receives events until one with sequence last arrives, failing on
// a timeout, a duplicate or a step backwards.
func (f *follower) expect(t *testing.T, prev, last int) []int {
	t.Helper()
	var got []int
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev := <-f.ch:
			n := seqOf(t, ev)
			if n <= prev {
				t.Fatalf("event %d after %d (duplicate or out of order)", n, prev)
			}
			prev = n
			got = append(got, n)
			if n == last {
				return got
			}
		case err := <-f.done:
			t.Fatalf("Read returned early: %v", err)
		case <-timeout:
			t.Fatalf("timed out waiting for event %d (got %v)", last, got)
		}
	}
}

func TestFollow(t *testing.T) {
	l := newLogger(t)
	f := follow(t, l, events.ReadOptions{Filters: map[string][]string{"event": {"start"}}})
	// The file does not exist yet; the follower waits for it.
	write(t, l, seq(1), define.Event{Type: "container", Status: "stop", Name: "c99"}, seq(2))
	if got := f.expect(t, 0, 2); len(got) != 2 {
		t.Errorf("got %v, want [1 2] (the stop event filtered out)", got)
	}
	write(t, l, seq(3))
	f.expect(t, 2, 3)
	f.stop()
	select {
	case err := <-f.done:
		if err != nil {
			t.Errorf("Read() after cancel = %v, want nil", err)
		}
		f.done <- nil // for the cleanup
	case <-time.After(5 * time.Second):
		t.Fatal("Read did not return after cancel")
	}
}

func TestFollowAcrossRotation(t *testing.T) {
	l := newLogger(t)
	l.MaxSize = 4096
	f := follow(t, l, events.ReadOptions{})
	for i := 1; i <= 30; i++ {
		write(t, l, seq(i))
	}
	f.expect(t, 0, 30)

	// One rotation that keeps the last event we read: every new event
	// arrives exactly once.
	for i := 31; i <= 45; i++ {
		write(t, l, seq(i))
	}
	if got := f.expect(t, 30, 45); len(got) != 15 {
		t.Errorf("after one rotation got %v, want 31..45", got)
	}

	// Several rotations before the follower looks again: events may be
	// lost, but none is repeated and the newest arrives.
	for i := 46; i <= 200; i++ {
		write(t, l, seq(i))
	}
	f.expect(t, 45, 200)
}

func TestFollowUntil(t *testing.T) {
	l := newLogger(t)
	write(t, l, seq(1))
	done := make(chan error, 1)
	go func() {
		done <- l.Read(context.Background(), events.ReadOptions{Follow: true, Until: time.Now().Add(300 * time.Millisecond)},
			func(define.Event) error { return nil })
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Read() = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Read with Follow did not stop at Until")
	}
}

func TestFollowReplacedFile(t *testing.T) {
	l := newLogger(t)
	write(t, l, seq(1))
	f := follow(t, l, events.ReadOptions{})
	f.expect(t, 0, 1)
	if err := os.Remove(l.Path()); err != nil {
		t.Fatal(err)
	}
	write(t, l, seq(2))
	f.expect(t, 1, 2)
}
