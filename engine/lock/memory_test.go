package lock_test

import (
	"testing"

	"github.com/berth-dev/berth/engine/lock"
	"github.com/berth-dev/berth/engine/lock/locktest"
)

func TestMemoryManager(t *testing.T) {
	locktest.Run(t, func(t *testing.T) lock.Manager { return lock.NewMemoryManager() })
}
