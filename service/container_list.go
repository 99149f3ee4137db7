package service

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
)

// ListOptions are the choices of `ps`.
type ListOptions struct {
	All     bool
	Last    int // -n: the N most recently created (implies All)
	Latest  bool
	Size    bool
	Filters []string // key=value
	// Pod fills PodName (ps --pod).
	Pod bool
	// Sort is one of PsSortKeys ("" keeps newest first).
	Sort string
	// Namespaces fills Namespaces (ps --ns).
	Namespaces bool
	// External adds the containers in storage berth has no record of.
	External bool
	// Sync locks and syncs each container with its runtime state first,
	// saving what changed (podman's ps --sync); without it the listing
	// only peeks at exit files.
	Sync bool
}

// ListContainer is one row of `ps`, with podman's JSON field names.
type ListContainer struct {
	AutoRemove bool                 `json:"AutoRemove"`
	Command    []string             `json:"Command"`
	Created    time.Time            `json:"Created"`
	Exited     bool                 `json:"Exited"`
	ExitedAt   int64                `json:"ExitedAt"`
	ExitCode   int32                `json:"ExitCode"`
	ID         string               `json:"Id"`
	Image      string               `json:"Image"`
	ImageID    string               `json:"ImageID"`
	IsInfra    bool                 `json:"IsInfra"`
	Labels     map[string]string    `json:"Labels"`
	Mounts     []string             `json:"Mounts"`
	Names      []string             `json:"Names"`
	Namespaces ListNamespaces       `json:"Namespaces"`
	Networks   []string             `json:"Networks"`
	Pid        int                  `json:"Pid"`
	Pod        string               `json:"Pod"`
	PodName    string               `json:"PodName"`
	Ports      []define.PortMapping `json:"Ports"`
	Restarts   int                  `json:"Restarts"`
	// ExposedPorts are the exposed ports by number, their protocols.
	ExposedPorts map[uint16][]string `json:"ExposedPorts,omitempty"`
	Size         *ContainerSize      `json:"Size"`
	StartedAt    int64               `json:"StartedAt"`
	State        string              `json:"State"`
	Status       string              `json:"Status"`
	// status is the engine status, for the Status column text.
	status define.ContainerStatus
	// volumes are the names of the volumes it mounts (ps --filter volume).
	volumes []string
	// health is the health status of a running container with a
	// healthcheck, else "" (ps --filter health, the Status text).
	health string
	// volumeMounts are those volumes with where they are mounted.
	volumeMounts []define.VolumeMount
	// exposed are the exposed ports (ps --filter expose).
	exposed []define.PortMapping
	// restartPolicy is the restart policy (ps --filter restart-policy).
	restartPolicy string
}

// ContainerSize is the size of the writable layer and the whole rootfs.
type ContainerSize struct {
	RootFsSize int64 `json:"rootFsSize"`
	RwSize     int64 `json:"rwSize"`
}

// Health returns the health status of a running container with a
// healthcheck (starting, healthy, unhealthy), else "".
func (l *ListContainer) Health() string { return l.health }

// VolumeMounts returns the named and anonymous volumes it mounts.
func (l *ListContainer) VolumeMounts() []define.VolumeMount { return l.volumeMounts }

// EngineStatus returns the container's engine status.
func (l *ListContainer) EngineStatus() define.ContainerStatus { return l.status }

// List returns the rows of `ps` from one snapshot of the database, without
// taking container locks.
func List(rt *engine.Runtime, opts ListOptions) ([]*ListContainer, error) {
	if err := SortRows(nil, opts.Sort); err != nil {
		return nil, err
	}
	filters, err := parseFilters(opts.Filters)
	if err != nil {
		return nil, err
	}
	if err := filters.resolve(rt); err != nil {
		return nil, err
	}
	ctrs, err := rt.ListContainers()
	if err != nil {
		return nil, err
	}
	var out []*ListContainer
	for _, c := range ctrs {
		if opts.Sync {
			if _, err := c.State(); err != nil {
				if errors.Is(err, define.ErrCtrRemoved) {
					continue
				}
				return nil, err
			}
		}
		row := listRow(c)
		if !opts.All && opts.Last <= 0 && !opts.Latest && filters.empty() && row.status != define.StatusRunning && row.status != define.StatusPaused {
			continue
		}
		if !opts.All && opts.Last <= 0 && !opts.Latest && !filters.empty() && !hasStateFilter(filters) && row.status != define.StatusRunning && row.status != define.StatusPaused {
			continue
		}
		if !filters.match(row) {
			continue
		}
		out = append(out, row)
	}
	// Newest first. The store lists in creation order, so reversed the rows
	// are sorted already but for clock steps, which the sort then fixes
	// cheaply.
	slices.Reverse(out)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	if opts.Latest && len(out) > 1 {
		out = out[:1]
	}
	if opts.Last > 0 && len(out) > opts.Last {
		out = out[:opts.Last]
	}
	if opts.External {
		ext, err := externalRows(rt, out)
		if err != nil {
			return nil, err
		}
		out = append(out, ext...)
	}
	if opts.Namespaces {
		for _, row := range out {
			row.Namespaces = namespacesOf(row.Pid)
		}
	}
	if opts.Pod {
		if err := fillPodNames(rt, out); err != nil {
			return nil, err
		}
	}
	if opts.Size {
		store, err := rt.Storage()
		if err != nil {
			return nil, err
		}
		for _, row := range out {
			if row.ImageID == "" {
				continue
			}
			rw, rootfs, err := store.ContainerSize(row.ID)
			if err == nil {
				row.Size = &ContainerSize{RootFsSize: rootfs, RwSize: rw}
			}
		}
	}
	if err := SortRows(out, opts.Sort); err != nil {
		return nil, err
	}
	return out, nil
}

// CreatedAtLayout is how podman prints a container's creation time.
const CreatedAtLayout = "2006-01-02 15:04:05.999999999 -0700 MST"

// MarshalJSON adds what only the JSON output shows (CreatedAt, Labels as
// {} when there are none): the table of thousands of rows skips that work.
func (l *ListContainer) MarshalJSON() ([]byte, error) {
	type plain ListContainer
	p := plain(*l)
	if p.Labels == nil {
		p.Labels = map[string]string{}
	}
	return json.Marshal(struct {
		*plain
		CreatedAt string `json:"CreatedAt"`
	}{&p, l.Created.Format(CreatedAtLayout)})
}

func listRow(c *engine.Container) *ListContainer {
	cfg := c.Config()
	st := c.CachedState()
	row := &ListContainer{
		AutoRemove: cfg.AutoRemove,
		Command:    cfg.Command,
		Created:    cfg.CreatedTime,
		ExitCode:   st.ExitCode,
		ID:         cfg.ID,
		Image:      cfg.ImageName,
		ImageID:    cfg.ImageID,
		IsInfra:    cfg.IsInfra,
		Labels:     cfg.Labels,
		Mounts:     cfg.UserVolumes,
		Names:      []string{cfg.Name},
		Networks:   attachedNetworks(cfg, st),
		Pid:        st.PID,
		Pod:        cfg.Pod,
		Ports:      effectivePorts(cfg, st),
		Restarts:   st.RestartCount,
		State:      st.Status.DockerString(),
		status:     st.Status,
	}
	row.volumeMounts = cfg.Volumes
	row.restartPolicy = cfg.Restart
	for e := range cfg.Exposed {
		num, proto, _ := strings.Cut(e, "/")
		if n, err := strconv.ParseUint(num, 10, 16); err == nil {
			row.exposed = append(row.exposed, define.PortMapping{ContainerPort: uint16(n), Protocol: proto})
			if row.ExposedPorts == nil {
				row.ExposedPorts = map[uint16][]string{}
			}
			row.ExposedPorts[uint16(n)] = append(row.ExposedPorts[uint16(n)], proto)
		}
	}
	for _, v := range cfg.Volumes {
		row.volumes = append(row.volumes, v.Name)
		row.Mounts = append(slices.Clip(row.Mounts), v.Dest)
	}
	if row.Mounts == nil {
		row.Mounts = []string{}
	}
	if row.Ports == nil {
		row.Ports = []define.PortMapping{}
	}
	if cfg.Rootfs != "" && row.Image == "" {
		row.Image = cfg.Rootfs
	}
	if !st.StartedTime.IsZero() {
		row.StartedAt = st.StartedTime.Unix()
	}
	if st.Status == define.StatusStopped || st.Status == define.StatusExited {
		row.Exited = true
		row.ExitedAt = st.FinishedTime.Unix()
	}
	row.Status = statusText(st)
	if st.Status == define.StatusRunning || st.Status == define.StatusPaused {
		// "Up 2 minutes (healthy)"; a paused one keeps its "(Paused)".
		if row.health = c.HealthStatus(); row.health != "" && st.Status == define.StatusRunning {
			row.Status += " (" + row.health + ")"
		}
	}
	return row
}

// statusText is the STATUS column: "Up 3 seconds", "Exited (0) 2 minutes
// ago", "Created", "Up 3 seconds (Paused)".
func statusText(st define.ContainerState) string {
	switch st.Status {
	case define.StatusRunning, define.StatusStopping:
		return "Up " + humanDuration(time.Since(st.StartedTime))
	case define.StatusPaused:
		return "Up " + humanDuration(time.Since(st.StartedTime)) + " (Paused)"
	case define.StatusStopped, define.StatusExited:
		return fmt.Sprintf("Exited (%d) %s ago", st.ExitCode, humanDuration(time.Since(st.FinishedTime)))
	case define.StatusConfigured, define.StatusCreated:
		return "Created"
	case define.StatusRemoving:
		return "Removal In Progress"
	}
	return st.Status.String()
}

// humanDuration is docker's go-units HumanDuration wording.
func humanDuration(d time.Duration) string {
	if s := int(d.Seconds()); s < 1 {
		return "Less than a second"
	} else if s == 1 {
		return "1 second"
	} else if s < 60 {
		return strconv.Itoa(s) + " seconds"
	} else if m := int(d.Minutes()); m == 1 {
		return "About a minute"
	} else if m < 60 {
		return strconv.Itoa(m) + " minutes"
	} else if h := int(d.Hours() + 0.5); h == 1 {
		return "About an hour"
	} else if h < 48 {
		return strconv.Itoa(h) + " hours"
	} else if h < 24*7*2 {
		return strconv.Itoa(h/24) + " days"
	} else if h < 24*30*2 {
		return strconv.Itoa(h/24/7) + " weeks"
	} else if h < 24*365*2 {
		return strconv.Itoa(h/24/30) + " months"
	} else {
		return strconv.Itoa(int(d.Hours()/24/365)) + " years"
	}
}

// fillPodNames sets PodName on the rows of pod members, a lookup per pod.
// A pod removed since the snapshot leaves the name empty.
func fillPodNames(rt *engine.Runtime, rows []*ListContainer) error {
	names := map[string]string{}
	for _, row := range rows {
		if row.Pod == "" {
			continue
		}
		name, ok := names[row.Pod]
		if !ok {
			p, err := rt.LookupPod(row.Pod)
			if err != nil && !errors.Is(err, define.ErrNoSuchPod) {
				return err
			}
			if p != nil {
				name = p.Name()
			}
			names[row.Pod] = name
		}
		row.PodName = name
	}
	return nil
}
