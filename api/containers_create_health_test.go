package api

import (
	"slices"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
)

func TestHealthFromCreate(t *testing.T) {
	if h, err := healthFromCreate(nil); h != nil || err != nil {
		t.Errorf("nil: %+v, %v", h, err)
	}
	h, err := healthFromCreate(&container.HealthConfig{Test: []string{"CMD-SHELL", "true"}, Interval: time.Second, Retries: 2})
	if err != nil || !slices.Equal(h.Test, []string{"CMD-SHELL", "true"}) || *h.Interval != time.Second || *h.Retries != 2 || h.Timeout != nil {
		t.Errorf("CMD-SHELL: %+v, %v", h, err)
	}
	// Zero fields and an empty Test inherit the image's.
	h, err = healthFromCreate(&container.HealthConfig{Timeout: 5 * time.Second})
	if err != nil || h.Test != nil || h.Interval != nil || *h.Timeout != 5*time.Second {
		t.Errorf("timeout only: %+v, %v", h, err)
	}
	if h, err = healthFromCreate(&container.HealthConfig{Test: []string{"NONE"}}); err != nil || !h.Disable {
		t.Errorf("NONE: %+v, %v", h, err)
	}
	for _, bad := range []*container.HealthConfig{
		{Test: []string{"true"}},
		{Test: []string{"CMD"}},
		{Test: []string{"CMD", "x"}, Interval: time.Microsecond},
		{Test: []string{"CMD", "x"}, Retries: -1},
	} {
		if _, err := healthFromCreate(bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}
