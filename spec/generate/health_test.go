package generate

import (
	"slices"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/spec"
)

func durp(d time.Duration) *time.Duration { return &d }

// TestHealthMerge: the flags override the image's HEALTHCHECK field by
// field; zero image fields and missing flags take the defaults;
// --no-healthcheck and NONE leave no check.
func TestHealthMerge(t *testing.T) {
	img := &define.Image{Healthcheck: &define.HealthConfig{Test: []string{"CMD-SHELL", "img-check"}, Interval: 5 * time.Second, Retries: 7}}
	three := 3
	for _, tc := range []struct {
		name string
		h    *spec.HealthConfig
		img  *define.Image
		want *define.HealthConfig // nil: no check
	}{
		{"none at all", nil, nil, nil},
		{"image's, defaults filled", nil, img, &define.HealthConfig{Test: []string{"CMD-SHELL", "img-check"}, Interval: 5 * time.Second, Timeout: 30 * time.Second, Retries: 7}},
		{"flags only", &spec.HealthConfig{Test: []string{"CMD-SHELL", "mine"}}, nil, &define.HealthConfig{Test: []string{"CMD-SHELL", "mine"}, Interval: 30 * time.Second, Timeout: 30 * time.Second, Retries: 3}},
		{"interval over the image's", &spec.HealthConfig{Interval: durp(2 * time.Second), Retries: &three}, img, &define.HealthConfig{Test: []string{"CMD-SHELL", "img-check"}, Interval: 2 * time.Second, Timeout: 30 * time.Second, Retries: 3}},
		{"interval disable", &spec.HealthConfig{Test: []string{"CMD", "x"}, Interval: durp(0)}, nil, &define.HealthConfig{Test: []string{"CMD", "x"}, Timeout: 30 * time.Second, Retries: 3}},
		{"no-healthcheck", &spec.HealthConfig{Disable: true}, img, nil},
		{"image NONE", nil, &define.Image{Healthcheck: &define.HealthConfig{Test: []string{"NONE"}}}, nil},
		{"timing flags without a command", &spec.HealthConfig{Interval: durp(time.Second)}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := health(tc.h, tc.img)
			if tc.want == nil {
				if got != nil {
					t.Fatalf("health = %+v, want none", got.Check)
				}
				return
			}
			if got == nil {
				t.Fatal("health = none")
			}
			c := got.Check
			if !slices.Equal(c.Test, tc.want.Test) || c.Interval != tc.want.Interval || c.Timeout != tc.want.Timeout ||
				c.StartPeriod != tc.want.StartPeriod || c.Retries != tc.want.Retries {
				t.Errorf("check = %+v, want %+v", *c, *tc.want)
			}
			if got.OnFailure != "none" || got.LogDestination != "local" || got.MaxLogCount != 5 || got.MaxLogSize != 500 {
				t.Errorf("settings defaults = %+v", got)
			}
		})
	}
	if img.Healthcheck.Interval != 5*time.Second {
		t.Error("the merge changed the image's record")
	}
}

func TestHealthStartup(t *testing.T) {
	h := &spec.HealthConfig{Test: []string{"CMD", "x"}, Startup: &spec.StartupHealthConfig{Test: []string{"CMD-SHELL", "ready"}, Retries: 2}}
	got := health(h, nil)
	if got.Startup == nil || got.Startup.Interval != 30*time.Second || got.Startup.Timeout != 30*time.Second || got.Startup.Retries != 2 {
		t.Errorf("startup = %+v", got.Startup)
	}
}
