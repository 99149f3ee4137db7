package cli

import (
	"github.com/spf13/pflag"

	"github.com/berth-dev/berth/internal/specflag"
	"github.com/berth-dev/berth/spec"
)

// usernsFlags are create/run's user namespace flags, as typed.
type usernsFlags struct {
	mode           string
	uidmap, gidmap []string
	subuid, subgid string
}

func bindUsernsFlags(f *pflag.FlagSet, u *usernsFlags) {
	f.StringVar(&u.mode, "userns", "", "user namespace to use (host, private, auto[:OPTIONS], keep-id[:OPTIONS], nomap, ns:PATH, container:ID)")
	f.StringArrayVar(&u.uidmap, "uidmap", nil, "UID map to use for the user namespace (CONTAINER_UID:HOST_UID[:SIZE])")
	f.StringArrayVar(&u.gidmap, "gidmap", nil, "GID map to use for the user namespace (CONTAINER_GID:HOST_GID[:SIZE])")
	f.StringVar(&u.subuid, "subuidname", "", "name of range listed in /etc/subuid for use in user namespace")
	f.StringVar(&u.subgid, "subgidname", "", "name of range listed in /etc/subgid for use in user namespace")
}

// parse fills s.UserNS.
func (u *usernsFlags) parse(s *spec.ContainerSpec) error {
	ns, err := specflag.UserNS(u.mode, u.uidmap, u.gidmap, u.subuid, u.subgid)
	if err != nil {
		return err
	}
	s.UserNS = ns
	return nil
}
