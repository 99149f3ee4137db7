package events_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/events"
)

var t0 = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

func newLogger(t *testing.T) *events.Logger {
	return events.NewLogger(filepath.Join(t.TempDir(), "sub", "events.log"))
}

func write(t *testing.T, l *events.Logger, evs ...define.Event) {
	t.Helper()
	for _, ev := range evs {
		if err := l.Write(ev); err != nil {
			t.Fatalf("Write() = %v", err)
		}
	}
}

func readAll(t *testing.T, l *events.Logger, opts events.ReadOptions) []define.Event {
	t.Helper()
	var got []define.Event
	err := l.Read(context.Background(), opts, func(ev define.Event) error {
		got = append(got, ev)
		return nil
	})
	if err != nil {
		t.Fatalf("Read() = %v", err)
	}
	return got
}

func seq(n int) define.Event {
	return define.Event{Time: t0.Add(time.Duration(n) * time.Second), Type: "container", Status: "start",
		ID: fmt.Sprintf("%064d", n), Name: "c" + strconv.Itoa(n)}
}

func seqOf(t *testing.T, ev define.Event) int {
	t.Helper()
	n, err := strconv.Atoi(ev.Name[1:])
	if err != nil {
		t.Fatalf("event name %q", ev.Name)
	}
	return n
}

func TestWriteRead(t *testing.T) {
	l := newLogger(t)
	if got := readAll(t, l, events.ReadOptions{}); len(got) != 0 {
		t.Errorf("Read() of a missing log = %v, want nothing", got)
	}
	code := 3
	in := []define.Event{
		{Time: t0, Type: "container", Status: "died", ID: "abc", Name: "web", Image: "busybox", ExitCode: &code,
			Attributes: map[string]string{"app": "x"}},
		{Type: "image", Status: "pull", ID: "sha", Name: "busybox"},
	}
	before := time.Now()
	write(t, l, in...)
	got := readAll(t, l, events.ReadOptions{})
	if len(got) != 2 {
		t.Fatalf("Read() = %d events, want 2", len(got))
	}
	if !got[0].Time.Equal(t0) || got[0].Name != "web" || *got[0].ExitCode != 3 || got[0].Attributes["app"] != "x" {
		t.Errorf("event 0 = %+v, want %+v", got[0], in[0])
	}
	if got[1].Time.Before(before) || got[1].Time.After(time.Now()) {
		t.Errorf("unset time became %v, want now", got[1].Time)
	}
	fi, err := os.Stat(l.Path())
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("log file: %v, %v; want mode 0600", fi, err)
	}
}

func TestFilters(t *testing.T) {
	l := newLogger(t)
	write(t, l,
		define.Event{Time: t0, Type: "container", Status: "create", ID: "aaa111", Name: "web", Image: "busybox",
			Attributes: map[string]string{"app": "front"}},
		define.Event{Time: t0.Add(1 * time.Second), Type: "container", Status: "start", ID: "aaa111", Name: "web", Image: "busybox"},
		define.Event{Time: t0.Add(2 * time.Second), Type: "container", Status: "start", ID: "bbb222", Name: "db", Image: "postgres"},
		define.Event{Time: t0.Add(3 * time.Second), Type: "image", Status: "pull", ID: "ccc333", Name: "busybox"},
		define.Event{Time: t0.Add(4 * time.Second), Type: "volume", Status: "create", ID: "vol1", Name: "vol1"},
	)
	tests := []struct {
		name  string
		opts  events.ReadOptions
		want  []string // ID/Status pairs
		error error
	}{
		{name: "all", want: []string{"aaa111/create", "aaa111/start", "bbb222/start", "ccc333/pull", "vol1/create"}},
		{name: "type", opts: events.ReadOptions{Filters: map[string][]string{"type": {"image", "volume"}}},
			want: []string{"ccc333/pull", "vol1/create"}},
		{name: "event", opts: events.ReadOptions{Filters: map[string][]string{"event": {"start"}}},
			want: []string{"aaa111/start", "bbb222/start"}},
		{name: "status alias", opts: events.ReadOptions{Filters: map[string][]string{"status": {"create"}}},
			want: []string{"aaa111/create", "vol1/create"}},
		{name: "container by name", opts: events.ReadOptions{Filters: map[string][]string{"container": {"db"}}},
			want: []string{"bbb222/start"}},
		{name: "container by ID prefix", opts: events.ReadOptions{Filters: map[string][]string{"container": {"aaa"}}},
			want: []string{"aaa111/create", "aaa111/start"}},
		{name: "container is not a volume", opts: events.ReadOptions{Filters: map[string][]string{"container": {"vol1"}}}},
		{name: "image", opts: events.ReadOptions{Filters: map[string][]string{"image": {"busybox"}}},
			want: []string{"aaa111/create", "aaa111/start", "ccc333/pull"}},
		{name: "label", opts: events.ReadOptions{Filters: map[string][]string{"label": {"app=front"}}},
			want: []string{"aaa111/create"}},
		{name: "label key", opts: events.ReadOptions{Filters: map[string][]string{"label": {"app"}}},
			want: []string{"aaa111/create"}},
		{name: "keys are ANDed", opts: events.ReadOptions{Filters: map[string][]string{"event": {"start"}, "container": {"web"}}},
			want: []string{"aaa111/start"}},
		{name: "since", opts: events.ReadOptions{Since: t0.Add(3 * time.Second)},
			want: []string{"ccc333/pull", "vol1/create"}},
		{name: "until", opts: events.ReadOptions{Until: t0.Add(1 * time.Second)},
			want: []string{"aaa111/create", "aaa111/start"}},
		{name: "since and until", opts: events.ReadOptions{Since: t0.Add(time.Second), Until: t0.Add(2 * time.Second)},
			want: []string{"aaa111/start", "bbb222/start"}},
		{name: "unknown key", opts: events.ReadOptions{Filters: map[string][]string{"colour": {"red"}}}, error: define.ErrInvalidArg},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			err := l.Read(context.Background(), tt.opts, func(ev define.Event) error {
				got = append(got, ev.ID+"/"+ev.Status)
				return nil
			})
			if !errors.Is(err, tt.error) {
				t.Fatalf("Read() = %v, want %v", err, tt.error)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("Read() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseFilters(t *testing.T) {
	tests := []struct {
		in      []string
		want    string
		wantErr bool
	}{
		{in: nil, want: "map[]"},
		{in: []string{"type=container", "type=image", "event=start"}, want: "map[event:[start] type:[container image]]"},
		{in: []string{"label=a=b"}, want: "map[label:[a=b]]"},
		{in: []string{"type"}, wantErr: true},
		{in: []string{"=x"}, wantErr: true},
		{in: []string{"nope=x"}, wantErr: true},
	}
	for _, tt := range tests {
		got, err := events.ParseFilters(tt.in)
		if (err != nil) != tt.wantErr || (err != nil && !errors.Is(err, define.ErrInvalidArg)) {
			t.Errorf("ParseFilters(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if err == nil && fmt.Sprint(got) != tt.want {
			t.Errorf("ParseFilters(%q) = %v, want %s", tt.in, got, tt.want)
		}
	}
}

func TestCallbackErrorStops(t *testing.T) {
	l := newLogger(t)
	write(t, l, seq(1), seq(2), seq(3))
	stop := errors.New("stop")
	calls := 0
	err := l.Read(context.Background(), events.ReadOptions{}, func(define.Event) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("Read() = %v after %d calls, want stop after 1", err, calls)
	}
}

// checkFile verifies every line of the log is one whole event and returns
// their sequence numbers.
func checkFile(t *testing.T, l *events.Logger) []int {
	t.Helper()
	f, err := os.Open(l.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var seqs []int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var ev define.Event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("damaged line %q: %v", sc.Text(), err)
		}
		seqs = append(seqs, seqOf(t, ev))
	}
	return seqs
}

func TestRotation(t *testing.T) {
	l := newLogger(t)
	l.MaxSize = 4096
	const n = 300
	for i := 1; i <= n; i++ {
		write(t, l, seq(i))
	}
	fi, err := os.Stat(l.Path())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > l.MaxSize || fi.Size() < l.MaxSize/4 {
		t.Errorf("size after rotation = %d, want between %d and %d", fi.Size(), l.MaxSize/4, l.MaxSize)
	}
	seqs := checkFile(t, l)
	if seqs[len(seqs)-1] != n || seqs[0] == 1 {
		t.Errorf("kept events %d..%d, want a suffix ending at %d", seqs[0], seqs[len(seqs)-1], n)
	}
	for i := 1; i < len(seqs); i++ {
		if seqs[i] != seqs[i-1]+1 {
			t.Fatalf("kept events not contiguous at %d: %v", i, seqs)
		}
	}
}

// TestConcurrentWriters appends from many goroutines (each Write opens its
// own file description, as separate processes do), with and without
// rotation, and checks that no line is torn.
func TestConcurrentWriters(t *testing.T) {
	for _, maxSize := range []int64{0, 8192} {
		t.Run(fmt.Sprint("max", maxSize), func(t *testing.T) {
			l := newLogger(t)
			l.MaxSize = maxSize
			const workers, each = 8, 100
			var wg sync.WaitGroup
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range each {
						if err := l.Write(seq(w*each + i)); err != nil {
							t.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			seqs := checkFile(t, l)
			if maxSize == 0 && len(seqs) != workers*each {
				t.Errorf("log has %d events, want %d", len(seqs), workers*each)
			}
			if fi, _ := os.Stat(l.Path()); maxSize > 0 && fi.Size() > maxSize {
				t.Errorf("size = %d, want at most %d", fi.Size(), maxSize)
			}
		})
	}
}
