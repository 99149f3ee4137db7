package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/service"
	"github.com/berth-dev/berth/spec"
	"github.com/moby/moby/api/types/blkiodev"
	"github.com/moby/moby/api/types/container"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// updateBackend is what the update route needs of service.
type updateBackend interface {
	ContainerUpdate(ctx context.Context, name string, o service.UpdateOptions) (string, error)
}

type updateRouter struct{ b updateBackend }

func (rt updateRouter) register(s *Server) {
	s.handle("POST /containers/{name}/update", rt.update)
	s.handleLibpod("POST /libpod/containers/{name}/update", rt.libpodUpdate)
}

// libpodUpdateBody is podman 5's update body: the OCI resources (as
// podman 4 sends them alone) and the per-device limits by path.
type libpodUpdateBody struct {
	specs.LinuxResources
	BlkIOWeightDevice []spec.WeightDevice   `json:",omitempty"`
	DeviceReadBPs     []spec.ThrottleDevice `json:",omitempty"`
	DeviceWriteBPs    []spec.ThrottleDevice `json:",omitempty"`
	DeviceReadIOPs    []spec.ThrottleDevice `json:",omitempty"`
	DeviceWriteIOPs   []spec.ThrottleDevice `json:",omitempty"`
	// Podman 5's healthcheck and environment changes: not served over
	// the API yet (the CLI's update has them), refused by name rather
	// than dropped.
	Unserved map[string]json.RawMessage `json:"-"`
}

// unservedUpdateKeys are podman 5's update keys berth's API refuses.
var unservedUpdateKeys = []string{"health_log_destination", "health_max_log_size", "health_max_log_count",
	"health_on_failure", "no_healthcheck", "health_cmd", "health_interval", "health_retries", "health_timeout",
	"health_start_period", "health_startup_cmd", "health_startup_interval", "health_startup_retries",
	"health_startup_timeout", "health_startup_success", "Env", "UnsetEnv"}

// libpodUpdate is podman's /libpod/containers/{name}/update: the limits
// of the body, the restart policy of ?restartPolicy=&restartRetries=;
// 201 with the container's ID. Limits berth cannot change are a 400.
func (rt updateRouter) libpodUpdate(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	var raw json.RawMessage
	if err := decodeBody(r, &raw); err != nil {
		return err
	}
	var req libpodUpdateBody
	if err := json.Unmarshal(raw, &req); err != nil {
		return badRequest(fmt.Errorf("invalid JSON body: %w", err))
	}
	_ = json.Unmarshal(raw, &req.Unserved)
	o, err := libpodUpdateOptions(&req)
	if err != nil {
		return badRequest(err)
	}
	q := r.URL.Query()
	if p := q.Get("restartPolicy"); p != "" {
		rp := spec.RestartPolicy{Name: p}
		if n := q.Get("restartRetries"); n != "" {
			v, err := strconv.ParseUint(n, 10, 32)
			if err != nil {
				return badRequest(fmt.Errorf("invalid restartRetries %q", n))
			}
			rp.MaxRetries = uint(v)
		}
		o.Restart = &rp
	}
	id, err := rt.b.ContainerUpdate(ctx, r.PathValue("name"), o)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, id)
	return nil
}

// libpodUpdateOptions maps podman's body to the service's options; the
// OCI resources' own per-device lists (by major:minor) and limits berth
// cannot change are refused by name.
func libpodUpdateOptions(req *libpodUpdateBody) (service.UpdateOptions, error) {
	var o service.UpdateOptions
	refuse := func(name string) (service.UpdateOptions, error) {
		return o, fmt.Errorf("%s cannot be updated by berth", name)
	}
	for _, k := range unservedUpdateKeys {
		if _, ok := req.Unserved[k]; ok {
			return o, fmt.Errorf("%s cannot be updated through berth's API (berth update --help lists what the CLI changes)", k)
		}
	}
	if m := req.Memory; m != nil {
		o.Memory, o.MemorySwap, o.MemoryReservation = m.Limit, m.Swap, m.Reservation
		if m.Swappiness != nil {
			v := int64(*m.Swappiness)
			o.MemorySwappiness = &v
		}
		if m.DisableOOMKiller != nil {
			return refuse("memory.disableOOMKiller")
		}
	}
	if c := req.CPU; c != nil {
		if c.Shares != nil {
			o.CPUShares = *c.Shares
		}
		if c.Quota != nil {
			o.CPUQuota = *c.Quota
		}
		if c.Period != nil {
			o.CPUPeriod = *c.Period
		}
		o.CpusetCPUs, o.CpusetMems = c.Cpus, c.Mems
		if c.RealtimePeriod != nil || c.RealtimeRuntime != nil {
			return refuse("cpu.realtime*")
		}
	}
	if p := req.Pids; p != nil {
		o.PidsLimit = p.Limit
	}
	if b := req.BlockIO; b != nil {
		if b.Weight != nil {
			o.BlkioWeight = *b.Weight
		}
		if len(b.WeightDevice) > 0 || len(b.ThrottleReadBpsDevice) > 0 || len(b.ThrottleWriteBpsDevice) > 0 ||
			len(b.ThrottleReadIOPSDevice) > 0 || len(b.ThrottleWriteIOPSDevice) > 0 {
			return refuse("blockIO device lists by major:minor (give them by path: BlkIOWeightDevice, DeviceReadBPs...)")
		}
	}
	if len(req.Devices) > 0 || len(req.HugepageLimits) > 0 || req.Network != nil || len(req.Rdma) > 0 || len(req.Unified) > 0 {
		return refuse("devices/hugepageLimits/network/rdma/unified")
	}
	o.BlkioWeightDevice, o.DeviceReadBps, o.DeviceWriteBps = req.BlkIOWeightDevice, req.DeviceReadBPs, req.DeviceWriteBPs
	o.DeviceReadIOps, o.DeviceWriteIOps = req.DeviceReadIOPs, req.DeviceWriteIOPs
	return o, nil
}

// update is `docker update`: memory, swap and reservation, CPUs, CPU
// shares, CFS period and quota, cpusets, swappiness, blkio weight and
// per-device weights and throttles, the pids limit and
// the restart policy; any other limit asked for is refused with
// a 400 before anything changes.
func (rt updateRouter) update(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	var req container.UpdateConfig
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	if err := refuseUnsupportedUpdate(&req.Resources); err != nil {
		return badRequest(err)
	}
	var o service.UpdateOptions
	if req.Memory != 0 {
		o.Memory = &req.Memory
	}
	if req.MemorySwap != 0 {
		o.MemorySwap = &req.MemorySwap
	}
	if req.NanoCPUs != 0 {
		o.NanoCPUs = &req.NanoCPUs
	}
	if req.CPUShares < 0 {
		return badRequest(fmt.Errorf("invalid CpuShares %d", req.CPUShares))
	}
	o.CPUShares = uint64(req.CPUShares)
	if req.CPUPeriod < 0 {
		return badRequest(fmt.Errorf("invalid CpuPeriod %d", req.CPUPeriod))
	}
	o.CPUPeriod, o.CPUQuota = uint64(req.CPUPeriod), req.CPUQuota
	o.CpusetCPUs, o.CpusetMems, o.BlkioWeight = req.CpusetCpus, req.CpusetMems, req.BlkioWeight
	if req.MemoryReservation != 0 {
		o.MemoryReservation = &req.MemoryReservation
	}
	o.PidsLimit = req.PidsLimit
	if sw := req.MemorySwappiness; sw != nil && *sw != -1 {
		o.MemorySwappiness = sw
	}
	for _, w := range req.BlkioWeightDevice {
		if w != nil {
			o.BlkioWeightDevice = append(o.BlkioWeightDevice, spec.WeightDevice{Path: w.Path, Weight: w.Weight})
		}
	}
	for _, t := range []struct {
		in  []*blkiodev.ThrottleDevice
		out *[]spec.ThrottleDevice
	}{
		{req.BlkioDeviceReadBps, &o.DeviceReadBps}, {req.BlkioDeviceWriteBps, &o.DeviceWriteBps},
		{req.BlkioDeviceReadIOps, &o.DeviceReadIOps}, {req.BlkioDeviceWriteIOps, &o.DeviceWriteIOps},
	} {
		for _, d := range t.in {
			if d != nil {
				*t.out = append(*t.out, spec.ThrottleDevice{Path: d.Path, Rate: d.Rate})
			}
		}
	}
	if p := req.RestartPolicy; p.Name != "" {
		if p.MaximumRetryCount < 0 {
			return badRequest(fmt.Errorf("invalid MaximumRetryCount %d", p.MaximumRetryCount))
		}
		o.Restart = &spec.RestartPolicy{Name: string(p.Name), MaxRetries: uint(p.MaximumRetryCount)}
	}
	var warnings strings.Builder
	o.Warnings = &warnings
	if _, err := rt.b.ContainerUpdate(ctx, r.PathValue("name"), o); err != nil {
		return err
	}
	resp := container.UpdateResponse{Warnings: []string{}}
	if w := strings.TrimSpace(warnings.String()); w != "" {
		resp.Warnings = strings.Split(w, "\n")
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// refuseUnsupportedUpdate names the first limit set that berth cannot
// change (nor set at create): accepting and ignoring it would be a lie.
func refuseUnsupportedUpdate(res *container.Resources) error {
	for _, f := range []struct {
		set  bool
		name string
	}{
		{res.CgroupParent != "", "CgroupParent"},
		{res.CPURealtimePeriod != 0 || res.CPURealtimeRuntime != 0, "CpuRealtime*"},
		{len(res.Devices) > 0 || len(res.DeviceCgroupRules) > 0 || len(res.DeviceRequests) > 0, "Devices"},
		{res.OomKillDisable != nil && *res.OomKillDisable, "OomKillDisable"},
		{len(res.Ulimits) > 0, "Ulimits"},
		{res.CPUCount != 0 || res.CPUPercent != 0 || res.IOMaximumIOps != 0 || res.IOMaximumBandwidth != 0, "CpuCount/CpuPercent/IOMaximum*"},
	} {
		if f.set {
			return fmt.Errorf("%s cannot be updated by berth: it supports Memory, MemorySwap, MemoryReservation, NanoCpus, CpuShares, CpuPeriod, CpuQuota, CpusetCpus, CpusetMems, MemorySwappiness, BlkioWeight, BlkioWeightDevice, BlkioDevice*, PidsLimit and RestartPolicy", f.name)
		}
	}
	return nil
}
