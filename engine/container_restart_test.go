package engine

import (
	"testing"
	"time"
)

func TestNextRestartDelay(t *testing.T) {
	ms := time.Millisecond
	for _, tt := range []struct {
		prev, ran, want time.Duration
	}{
		{0, 0, 100 * ms},
		{100 * ms, time.Second, 200 * ms},
		{400 * ms, 9 * time.Second, 800 * ms},
		{40 * time.Second, 0, time.Minute},
		{time.Minute, 0, time.Minute},
		{time.Minute, 10 * time.Second, 100 * ms},
		{800 * ms, -time.Second, 1600 * ms}, // no finish time recorded
	} {
		if got := nextRestartDelay(tt.prev, tt.ran); got != tt.want {
			t.Errorf("nextRestartDelay(%v, %v) = %v, want %v", tt.prev, tt.ran, got, tt.want)
		}
	}
}
