package service

import (
	"context"
	"os"
)

// KubePlay is `kube play` of one YAML body (libpod /play/kube).
func (b *Backend) KubePlay(ctx context.Context, yaml []byte, opts KubePlayOptions) (*KubePlayReport, error) {
	return KubePlay(ctx, b.rt, [][]byte{yaml}, opts)
}

// KubeWait is `kube play --wait`'s wait: until the pods' containers exit
// or stop closes (the client went away), then removes the pods.
func (b *Backend) KubeWait(ctx context.Context, report *KubePlayReport, stop <-chan struct{}) error {
	return KubeWait(ctx, b.rt, report, stop)
}

// KubeDown is `kube down` of one YAML body.
func (b *Backend) KubeDown(ctx context.Context, yaml []byte, force bool) (*KubeDownReport, error) {
	return KubeDown(ctx, b.rt, [][]byte{yaml}, force)
}

// KubeGenerate is `kube generate`.
func (b *Backend) KubeGenerate(ctx context.Context, names []string, opts KubeGenerateOptions) ([]byte, error) {
	opts.Version = b.version
	return KubeGenerate(ctx, b.rt, names, opts)
}

// GenerateSystemd is `generate systemd`: the units run this binary.
func (b *Backend) GenerateSystemd(ctx context.Context, nameOrID string, o SystemdOptions) ([]SystemdUnit, error) {
	exe, err := os.Executable()
	if err != nil {
		exe = "/usr/bin/berth"
	}
	o.Executable, o.Version = exe, b.version
	return GenerateSystemd(ctx, b.rt, nameOrID, o)
}
