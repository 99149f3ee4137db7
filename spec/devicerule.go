package spec

// DeviceCgroupRule is an allow rule of the device cgroup, in the kernel's
// cgroup v1 devices.allow terms ("c 1:3 rwm").
type DeviceCgroupRule struct {
	Type         string // "a" (all), "b" (block) or "c" (char)
	Major, Minor *int64 // nil: any (*)
	Access       string // a combination of r, w and m
}
