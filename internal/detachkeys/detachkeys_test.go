package detachkeys

import "testing"

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
