package state

import (
	"encoding/json"
	"slices"
	"testing"
)

// decodeStrings' fast split agrees with encoding/json on what
// encoding/json writes, and hands everything else to the decoder.
func TestDecodeStrings(t *testing.T) {
	dec := newColumnDecoder()
	var buf []string
	for _, in := range [][]string{
		{"true"}, {"sh", "-c", "echo a,b"}, {"", "x", ""}, {"a\"b", `c\d`}, {"<&>"}, {"ünï", "tab\there"},
	} {
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeStrings(dec, b, &buf)
		if err != nil || !slices.Equal(got, in) {
			t.Errorf("decodeStrings(%s) = %q, %v; want %q", b, got, err, in)
		}
	}
	for _, bad := range []string{`["a",]`, `["a"x]`, `[1]`, `["a"`} {
		if got, err := decodeStrings(dec, []byte(bad), &buf); err == nil {
			t.Errorf("decodeStrings(%s) = %q, want an error", bad, got)
		}
	}
}
