package engine

import (
	"fmt"
	"os"
	"time"
)

var tStart = time.Now()
var tOn = os.Getenv("BERTH_T") != ""

// TMark is temporary instrumentation.
func TMark(s string) {
	if tOn {
		fmt.Fprintf(os.Stderr, "%7.2f %s\n", float64(time.Since(tStart).Microseconds())/1000, s)
	}
}
