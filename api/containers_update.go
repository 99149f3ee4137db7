package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/berth-dev/berth/service"
	"github.com/berth-dev/berth/spec"
	"github.com/moby/moby/api/types/container"
)

// updateBackend is what the update route needs of service.
type updateBackend interface {
	ContainerUpdate(ctx context.Context, name string, o service.UpdateOptions) error
}

type updateRouter struct{ b updateBackend }

func (rt updateRouter) register(s *Server) {
	s.handle("POST /containers/{name}/update", rt.update)
}

// update is `docker update`: memory, swap and reservation, CPUs, CPU
// shares, CFS period and quota, cpusets, blkio weight, the pids limit and
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
	if p := req.RestartPolicy; p.Name != "" {
		if p.MaximumRetryCount < 0 {
			return badRequest(fmt.Errorf("invalid MaximumRetryCount %d", p.MaximumRetryCount))
		}
		o.Restart = &spec.RestartPolicy{Name: string(p.Name), MaxRetries: uint(p.MaximumRetryCount)}
	}
	if err := rt.b.ContainerUpdate(ctx, r.PathValue("name"), o); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, container.UpdateResponse{Warnings: []string{}})
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
		{len(res.BlkioWeightDevice) > 0 || len(res.BlkioDeviceReadBps) > 0 || len(res.BlkioDeviceWriteBps) > 0 ||
			len(res.BlkioDeviceReadIOps) > 0 || len(res.BlkioDeviceWriteIOps) > 0, "BlkioWeightDevice/BlkioDevice*"},
		{res.CPURealtimePeriod != 0 || res.CPURealtimeRuntime != 0, "CpuRealtime*"},
		{len(res.Devices) > 0 || len(res.DeviceCgroupRules) > 0 || len(res.DeviceRequests) > 0, "Devices"},
		{res.MemorySwappiness != nil && *res.MemorySwappiness != -1, "MemorySwappiness"},
		{res.OomKillDisable != nil && *res.OomKillDisable, "OomKillDisable"},
		{len(res.Ulimits) > 0, "Ulimits"},
		{res.CPUCount != 0 || res.CPUPercent != 0 || res.IOMaximumIOps != 0 || res.IOMaximumBandwidth != 0, "CpuCount/CpuPercent/IOMaximum*"},
	} {
		if f.set {
			return fmt.Errorf("%s cannot be updated by berth: it supports Memory, MemorySwap, MemoryReservation, NanoCpus, CpuShares, CpuPeriod, CpuQuota, CpusetCpus, CpusetMems, BlkioWeight, PidsLimit and RestartPolicy", f.name)
		}
	}
	return nil
}
