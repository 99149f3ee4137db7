//go:build berth_lean

package service

import (
	"context"

	"github.com/berth-dev/berth/engine"
)

// The lean binary does not link k8s.io/api: its CLI hands the kube verbs
// to berth-full before they run, and these answer ErrNeedsFull should one
// be called anyway.

// KubeGenerate needs the complete binary.
func KubeGenerate(context.Context, *engine.Runtime, []string, KubeGenerateOptions) ([]byte, error) {
	return nil, ErrNeedsFull
}

// KubePlay needs the complete binary.
func KubePlay(context.Context, *engine.Runtime, [][]byte, KubePlayOptions) (*KubePlayReport, error) {
	return nil, ErrNeedsFull
}

// KubeDown needs the complete binary.
func KubeDown(context.Context, *engine.Runtime, [][]byte, bool) (*KubeDownReport, error) {
	return nil, ErrNeedsFull
}

// KubeWait needs the complete binary.
func KubeWait(context.Context, *engine.Runtime, *KubePlayReport, <-chan struct{}) error {
	return ErrNeedsFull
}
