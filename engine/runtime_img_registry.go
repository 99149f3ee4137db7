package engine

import (
	"context"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/image"
)

// PullImage pulls name according to opts (see image.Service.Pull) and
// records a pull event per image actually fetched.
func (r *Runtime) PullImage(ctx context.Context, name string, opts image.PullOptions) ([]*define.Image, error) {
	images, err := r.Images()
	if err != nil {
		return nil, err
	}
	rep, err := images.Pull(ctx, name, opts)
	if err != nil {
		return nil, err
	}
	if !rep.Local {
		for _, img := range rep.Images {
			r.event(define.Event{Type: "image", Status: "pull", ID: img.ID, Name: name, Time: time.Now()})
		}
	}
	return rep.Images, nil
}

// PushImage pushes the local image source to destination and records a
// push event. It returns the digest and size of the manifest written.
func (r *Runtime) PushImage(ctx context.Context, source, destination string, opts image.PushOptions) (image.Pushed, error) {
	images, err := r.Images()
	if err != nil {
		return image.Pushed{}, err
	}
	d, err := images.Push(ctx, source, destination, opts)
	if err != nil {
		return image.Pushed{}, err
	}
	img, lerr := images.Lookup(source)
	if lerr == nil {
		r.event(define.Event{Type: "image", Status: "push", ID: img.ID, Name: source, Time: time.Now()})
	}
	return d, nil
}
