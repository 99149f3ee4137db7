package service

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/define"
)

func TestFilterMatch(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	rows := []*ListContainer{
		{ID: "aaa1", Names: []string{"first"}, Created: t0, Labels: map[string]string{"a": "1", "b": "2"}},
		{ID: "bbb2", Names: []string{"second"}, Created: t0.Add(time.Second), Labels: map[string]string{"a": "1"}},
		{ID: "ccc3", Names: []string{"third"}, Created: t0.Add(2 * time.Second), health: define.HealthUnhealthy},
	}
	rows[1].health = define.HealthHealthy
	tests := []struct {
		name    string
		filters []string
		before  time.Time
		since   time.Time
		want    []string
	}{
		{"labels all hold", []string{"label=a", "label=b=2"}, time.Time{}, time.Time{}, []string{"first"}},
		{"label value", []string{"label=a=1"}, time.Time{}, time.Time{}, []string{"first", "second"}},
		{"negated labels", []string{"label!=b", "label!=a"}, time.Time{}, time.Time{}, []string{"third"}},
		{"before", []string{"before=third"}, t0.Add(2 * time.Second), time.Time{}, []string{"first", "second"}},
		{"since", []string{"since=first"}, time.Time{}, t0, []string{"second", "third"}},
		{"since and before", []string{"since=first", "before=third"}, t0.Add(2 * time.Second), t0, []string{"second"}},
		{"ids ORed", []string{"id=aaa", "id=ccc"}, time.Time{}, time.Time{}, []string{"first", "third"}},
		{"health", []string{"health=healthy", "health=unhealthy"}, time.Time{}, time.Time{}, []string{"second", "third"}},
		{"health none", []string{"health=none"}, time.Time{}, time.Time{}, []string{"first"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := parseFilters(tt.filters)
			if err != nil {
				t.Fatal(err)
			}
			// resolve's job, done by hand: the named containers' times.
			f.before, f.since = tt.before, tt.since
			var got []string
			for _, r := range rows {
				if f.match(r) {
					got = append(got, r.Names[0])
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("match = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseFiltersRefusesUnknown(t *testing.T) {
	for _, in := range []string{"health=bogus", "until=yesterday", "publish=x", "bogus=1", "label", "status=bogus", "exited=x"} {
		_, err := parseFilters([]string{in})
		if err == nil || !errors.Is(err, define.ErrInvalidArg) && !strings.Contains(err.Error(), "invalid filter") {
			t.Errorf("parseFilters(%q) = %v, want an invalid filter error", in, err)
		}
	}
}
