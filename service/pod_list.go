package service

import (
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
)

// ListPodContainer is one member in `pod ps --format json`.
type ListPodContainer struct {
	ID           string `json:"Id"`
	Names        string `json:"Names"`
	Status       string `json:"Status"`
	RestartCount int    `json:"RestartCount"`
}

// ListPod is one row of `pod ps`, podman's JSON shape.
type ListPod struct {
	Cgroup     string             `json:"Cgroup"`
	Containers []ListPodContainer `json:"Containers"`
	Created    time.Time          `json:"Created"`
	ID         string             `json:"Id"`
	InfraID    string             `json:"InfraId"`
	Name       string             `json:"Name"`
	Namespace  string             `json:"Namespace"`
	Networks   []string           `json:"Networks"`
	Status     string             `json:"Status"`
	Labels     map[string]string  `json:"Labels"`
}

var podFilterKeys = []string{"id", "name", "label", "status", "ctr-names", "ctr-ids", "ctr-status", "ctr-number", "network", "until"}

// ListPods returns every pod matching the filters (KEY=VALUE; values of
// one key OR-ed, keys AND-ed, as podman does), oldest first.
func ListPods(rt *engine.Runtime, filters []string) ([]ListPod, error) {
	byKey := map[string][]string{}
	for _, f := range filters {
		k, v, err := splitFilter(f, podFilterKeys)
		if err != nil {
			return nil, err
		}
		byKey[k] = append(byKey[k], v)
	}
	pods, err := rt.Pods()
	if err != nil {
		return nil, err
	}
	out := []ListPod{}
	for _, p := range pods {
		row, err := listPod(p)
		if err != nil {
			return nil, err
		}
		ok, err := podMatches(row, byKey)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, row)
		}
	}
	return out, nil
}

func listPod(p *engine.Pod) (ListPod, error) {
	cfg := p.Config()
	ctrs, err := p.Containers()
	if err != nil {
		return ListPod{}, err
	}
	row := ListPod{
		Cgroup: cfg.CgroupPath, Created: cfg.CreatedTime, ID: cfg.ID, InfraID: cfg.InfraID,
		Name: cfg.Name, Labels: cfg.Labels, Containers: []ListPodContainer{}, Networks: []string{},
	}
	statuses := make([]define.ContainerStatus, 0, len(ctrs))
	for _, c := range ctrs {
		st := c.CachedState()
		if !c.IsInitContainer() {
			// An exited init container does not degrade the pod.
			statuses = append(statuses, st.Status)
		}
		row.Containers = append(row.Containers, ListPodContainer{ID: c.ID(), Names: c.Name(), Status: st.Status.String(), RestartCount: st.RestartCount})
		if cc := c.Config(); cc.IsInfra {
			row.Networks = append(row.Networks, cc.Networks...)
			if cc.NetMode == "bridge" && len(cc.Networks) == 0 {
				row.Networks = append(row.Networks, "podman")
			}
		}
	}
	row.Status = define.PodStatus(statuses)
	return row, nil
}

// podMatches applies pod ps filters to one row.
func podMatches(row ListPod, byKey map[string][]string) (bool, error) {
	for k, vals := range byKey {
		any := false
		for _, v := range vals {
			ok, err := podMatch(row, k, v)
			if err != nil {
				return false, err
			}
			if ok {
				any = true
				break
			}
		}
		if !any {
			return false, nil
		}
	}
	return true, nil
}

func podMatch(row ListPod, k, v string) (bool, error) {
	switch k {
	case "id":
		return strings.HasPrefix(row.ID, v) || matchRegexp(v, row.ID), nil
	case "name":
		return row.Name == v || matchRegexp(v, row.Name), nil
	case "label":
		return matchLabel(v, row.Labels), nil
	case "status":
		return strings.EqualFold(row.Status, v), nil
	case "network":
		for _, n := range row.Networks {
			if n == v {
				return true, nil
			}
		}
		return false, nil
	case "until":
		t, err := ParseTime(v)
		if err != nil {
			return false, err
		}
		return row.Created.Before(t), nil
	case "ctr-number":
		n, err := strconv.Atoi(v)
		if err != nil {
			return false, err
		}
		return len(row.Containers) == n, nil
	}
	for _, c := range row.Containers {
		switch {
		case k == "ctr-names" && (c.Names == v || matchRegexp(v, c.Names)),
			k == "ctr-ids" && strings.HasPrefix(c.ID, v),
			k == "ctr-status" && c.Status == v:
			return true, nil
		}
	}
	return false, nil
}
