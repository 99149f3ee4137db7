//go:build berth_lean

package image

import "context"

// RemoteDiffers needs the full build (a registry client).
func (s *Service) RemoteDiffers(context.Context, string, string, RegistryOptions) (bool, error) {
	return false, ErrNeedsFull
}
