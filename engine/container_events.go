package engine

import (
	"time"

	"github.com/berth-dev/berth/engine/define"
)

// newEvent is a container event as podman records it: the container's
// ID, name and image, and its labels as attributes (so `events --filter
// label=...` works), plus extra key/value attributes.
func (c *Container) newEvent(status string, kv ...string) define.Event {
	var attrs map[string]string
	if len(c.config.Labels) > 0 || len(kv) > 0 {
		attrs = make(map[string]string, len(c.config.Labels)+len(kv)/2)
		for k, v := range c.config.Labels {
			attrs[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			attrs[kv[i]] = kv[i+1]
		}
	}
	return define.Event{Type: "container", Status: status, ID: c.config.ID, Name: c.config.Name,
		Image: c.config.ImageName, Time: time.Now(), Attributes: attrs}
}

// exitEvents logs the exit of the container's process just observed and
// persisted: an `oom` event first when the kernel's OOM killer ended it
// (conmon's oom marker; docker's order too), then `died`.
func (c *Container) exitEvents() {
	if c.state.OOMKilled {
		c.runtime.event(c.newEvent("oom"))
	}
	c.runtime.event(c.diedEvent())
}

// diedEvent records that the container's process exited, with its exit
// code. It is written where the exit is first observed and persisted
// (syncLocked, waitExitLocked), so it is logged exactly once per run
// whoever notices: the exit command, stop, or any later command.
func (c *Container) diedEvent() define.Event {
	ev := c.newEvent("died")
	code := int(c.state.ExitCode)
	ev.ExitCode = &code
	return ev
}
