package detachkeys

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for in, want := range map[string]string{"": "\x10\x11", "ctrl-a,x": "\x01x", "ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_,ctrl-@": "\x1b\x1c\x1d\x1e\x1f\x00", "CTRL-P": "\x10"} {
		got, err := Parse(in)
		if err != nil || string(got) != want {
			t.Errorf("Parse(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"ctrl-1", "ctrl-", "ab", "ctrl-ab"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

func TestDetachScanner(t *testing.T) {
	ctrlPQ := []byte{16, 17}
	tests := []struct {
		name       string
		keys       []byte
		chunks     []string
		wantOut    string
		wantDetach bool
	}{
		{name: "no keys", keys: nil, chunks: []string{"ab\x10\x11c"}, wantOut: "ab\x10\x11c"},
		{name: "no match", keys: ctrlPQ, chunks: []string{"hello"}, wantOut: "hello"},
		{name: "match in one read", keys: ctrlPQ, chunks: []string{"ab\x10\x11cd"}, wantOut: "ab", wantDetach: true},
		{name: "match split over reads", keys: ctrlPQ, chunks: []string{"ab\x10", "\x11"}, wantOut: "ab", wantDetach: true},
		{name: "partial then mismatch", keys: ctrlPQ, chunks: []string{"a\x10", "b"}, wantOut: "a\x10b"},
		{name: "repeated first key", keys: ctrlPQ, chunks: []string{"\x10\x10\x11"}, wantOut: "\x10", wantDetach: true},
		{name: "overlapping prefix", keys: []byte("aab"), chunks: []string{"aaab"}, wantOut: "a", wantDetach: true},
		{name: "held bytes flushed at eof", keys: ctrlPQ, chunks: []string{"x\x10"}, wantOut: "x\x10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewScanner(tt.keys)
			var out []byte
			detached := false
			for _, c := range tt.chunks {
				o, hit := d.Feed([]byte(c))
				out = append(out, o...)
				if hit {
					detached = true
					break
				}
			}
			if !detached {
				out = append(out, d.Flush()...)
			}
			if string(out) != tt.wantOut || detached != tt.wantDetach {
				t.Errorf("got %q detached=%v, want %q detached=%v", out, detached, tt.wantOut, tt.wantDetach)
			}
		})
	}
}

func TestCopy(t *testing.T) {
	keys := []byte{16, 17}
	for _, tt := range []struct {
		in, want         string
		detached, closed bool
	}{
		{in: "abc\x10", want: "abc\x10", closed: true},
		{in: "ab\x10\x11rest", want: "ab", detached: true},
	} {
		var w strings.Builder
		closed := false
		detached := Copy(&w, strings.NewReader(tt.in), keys, func() { closed = true })
		if w.String() != tt.want || detached != tt.detached || closed != tt.closed {
			t.Errorf("Copy(%q) wrote %q detached=%v closed=%v", tt.in, w.String(), detached, closed)
		}
	}
}
