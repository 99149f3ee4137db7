package state_test

import (
	"testing"

	"github.com/berth-dev/berth/engine/state"
	"github.com/berth-dev/berth/engine/state/statetest"
)

func TestMemory(t *testing.T) {
	statetest.Run(t, func(t *testing.T) state.Store { return state.NewMemory() })
}
