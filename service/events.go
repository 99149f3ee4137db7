package service

import (
	"context"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/events"
	"github.com/berth-dev/berth/internal/errdefs"
)

// EventsOptions select what Events reads: a time window, filters (as
// ParseEventFilters returns them) and whether to follow new events.
type EventsOptions = events.ReadOptions

// ParseEventFilters checks --filter key=value arguments and groups them by
// key; callers check them before opening the runtime.
func ParseEventFilters(args []string) (map[string][]string, error) {
	return events.ParseFilters(args)
}

// ErrEventsDisabled is returned by Events when containers.conf turns the
// events log off.
var ErrEventsDisabled = errdefs.New(errdefs.ErrInvalidArgument, `events are disabled (--events-backend none, or events_logger = "none" in containers.conf)`)

// Events calls fn for each matching event, oldest first; with Follow it
// keeps waiting for new ones until ctx is done or Until has passed.
func Events(ctx context.Context, rt *engine.Runtime, opts EventsOptions, fn func(define.Event) error) error {
	logger := rt.Events()
	if logger == nil {
		return ErrEventsDisabled
	}
	return logger.Read(ctx, opts, fn)
}
