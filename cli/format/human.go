package format

import (
	"time"

	units "github.com/docker/go-units"
)

// HumanDuration describes d the way docker and podman print ages and uptimes
// ("Less than a second", "3 seconds", "About a minute", "2 hours"), so
// `ps` columns such as "Up 3 seconds" read the same.
func HumanDuration(d time.Duration) string {
	return units.HumanDuration(d)
}

// HumanSize prints n bytes in SI units with 3 significant digits ("1.23MB",
// "4.1kB", "512B"), the precision podman uses for image and container sizes.
func HumanSize(n int64) string {
	return units.HumanSizeWithPrecision(float64(n), 3)
}
