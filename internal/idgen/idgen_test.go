package idgen

import (
	"regexp"
	"testing"
)

func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := NewID()
		if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(id) {
			t.Fatalf("bad id %q", id)
		}
		if regexp.MustCompile(`^[0-9]{12}`).MatchString(id) {
			t.Fatalf("all-digit short id %q", id)
		}
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
	}
}

func TestNewName(t *testing.T) {
	re := regexp.MustCompile(`^[a-z]+_[a-z]+$`)
	for i := 0; i < 100; i++ {
		if n := NewName(); !re.MatchString(n) {
			t.Fatalf("bad name %q", n)
		}
	}
}
