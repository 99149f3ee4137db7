package generate

import (
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/spec"
)

// containerSecrets turns the --secret values into the engine's records;
// the engine resolves their names when it creates the container.
func containerSecrets(in []spec.Secret) []define.ContainerSecret {
	out := make([]define.ContainerSecret, 0, len(in))
	for _, s := range in {
		t := s.Type
		if t == "" {
			t = define.SecretMount
		}
		out = append(out, define.ContainerSecret{Name: s.Name, Type: t, Target: s.Target, UID: s.UID, GID: s.GID, Mode: s.Mode})
	}
	return out
}
