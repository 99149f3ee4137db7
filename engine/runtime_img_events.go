package engine

import (
	"time"

	"github.com/berth-dev/berth/engine/define"
)

// ImageEvent logs an image event (podman's statuses: tag, untag, import,
// loaded, save) for the verbs the image service carries out without the
// runtime: id is the image, name the reference the verb acted on.
func (r *Runtime) ImageEvent(status, id, name string) {
	r.event(define.Event{Type: "image", Status: status, ID: id, Name: name, Time: time.Now()})
}
