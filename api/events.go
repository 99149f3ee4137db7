package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/moby/moby/api/types/events"
)

type eventsBackend interface {
	Events(ctx context.Context, since, until time.Time, follow bool, filters []string, fn func(define.Event) error) error
}

type eventsRouter struct{ b eventsBackend }

func (rt eventsRouter) register(s *Server) {
	s.handle("GET /events", rt.events)
}

// Docker's action names for berth's (podman's) event statuses.
var dockerActions = map[string]string{"died": "die", "remove": "destroy"}

// events streams docker's event messages, one JSON object a line: those
// since `since`, then new ones until `until` or the client leaves.
func (rt eventsRouter) events(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	since, err := eventTime(q.Get("since"))
	if err != nil {
		return err
	}
	until, err := eventTime(q.Get("until"))
	if err != nil {
		return err
	}
	filters, err := decodeFilters(q.Get("filters"))
	if err != nil {
		return err
	}
	for i, f := range filters {
		k, v, _ := strings.Cut(f, "=")
		if k == "event" || k == "status" {
			for berth, docker := range dockerActions {
				if v == docker {
					filters[i] = k + "=" + berth
				}
			}
		}
	}
	started := false
	start := func() {
		if !started {
			started = true
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
		}
	}
	enc := json.NewEncoder(w)
	// Headers go out at once for a followed stream: clients wait for
	// them before they act.
	follow := until.IsZero() || until.After(time.Now())
	if follow {
		start()
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
	}
	err = rt.b.Events(ctx, since, until, follow, filters, func(ev define.Event) error {
		start()
		if err := enc.Encode(dockerEvent(ev)); err != nil {
			return err
		}
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		return nil
	})
	if err != nil && !started {
		return badRequestIf(err)
	}
	start()
	return nil
}

// eventMessage is docker's message with the fields from before API 1.22
// that docker still sends and older clients (compose 1.x) read: status,
// id and from.
type eventMessage struct {
	Status string `json:"status,omitempty"`
	ID     string `json:"id,omitempty"`
	From   string `json:"from,omitempty"`
	events.Message
}

func dockerEvent(ev define.Event) eventMessage {
	action := ev.Status
	if a, ok := dockerActions[action]; ok && ev.Type == "container" {
		action = a
	}
	attrs := map[string]string{}
	for k, v := range ev.Attributes {
		attrs[k] = v
	}
	if ev.Name != "" {
		attrs["name"] = ev.Name
	}
	if ev.Image != "" {
		attrs["image"] = ev.Image
	}
	if ev.ExitCode != nil {
		attrs["exitCode"] = strconv.Itoa(*ev.ExitCode)
	}
	if ev.Status == "health_status" {
		// Docker's action carries the status: "health_status: healthy".
		action = "health_status: " + attrs["health_status"]
		delete(attrs, "health_status")
		delete(attrs, "health_log")
	}
	m := eventMessage{Message: events.Message{
		Type:     events.Type(ev.Type),
		Action:   events.Action(action),
		Actor:    events.Actor{ID: ev.ID, Attributes: attrs},
		Scope:    "local",
		Time:     ev.Time.Unix(),
		TimeNano: ev.Time.UnixNano(),
	}}
	if ev.Type == "container" {
		m.Status, m.ID, m.From = action, ev.ID, ev.Image
	}
	return m
}

// eventTime reads docker's since/until: unix seconds (with a fraction),
// or RFC 3339.
func eventTime(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	return unixParam(v)
}
