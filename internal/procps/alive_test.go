package procps

import (
	"os"
	"testing"
)

func TestAliveSince(t *testing.T) {
	self := os.Getpid()
	start, err := StartTime(self)
	if err != nil || start == 0 {
		t.Fatalf("StartTime(self) = %d, %v", start, err)
	}
	tests := []struct {
		name  string
		pid   int
		start uint64
		want  bool
	}{
		{"recorded start", self, start, true},
		{"no start recorded", self, 0, true},
		// The same PID with another start time is another process: the
		// one recorded has died and its PID was reused.
		{"reused pid", self, start + 1, false},
		{"no such pid", -1, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AliveSince(tt.pid, tt.start); got != tt.want {
				t.Errorf("AliveSince(%d, %d) = %v, want %v", tt.pid, tt.start, got, tt.want)
			}
		})
	}
}
