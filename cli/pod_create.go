package cli

import (
	"fmt"
	"strings"

	"github.com/berth-dev/berth/internal/specflag"
	"github.com/berth-dev/berth/service"
	"github.com/berth-dev/berth/spec"
	"github.com/spf13/cobra"
)

func newPodCreateCommand(d *Deps) *cobra.Command {
	var ps spec.PodSpec
	var labels []string
	var share, infraCommand, podIDFile string
	var memory, cpus string
	var volumes, publish []string
	var replace bool
	var userns usernsFlags
	cmd := &cobra.Command{
		Use:   "create [options] [NAME]",
		Short: "Create a new empty pod",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f := cmd.Flags()
			if len(args) == 1 {
				if ps.Name != "" && ps.Name != args[0] {
					return usageError("cannot specify a pod name both as an argument and with --name")
				}
				ps.Name = args[0]
			}
			if len(labels) > 0 {
				ps.Labels = map[string]string{}
				for _, l := range labels {
					k, v, _ := strings.Cut(l, "=")
					if k == "" {
						return usageError("invalid label %q: the key is empty", l)
					}
					ps.Labels[k] = v
				}
			}
			if f.Changed("share") {
				ps.Share = []string{share}
			}
			if !ps.Infra {
				for _, fl := range []string{"infra-image", "infra-command", "infra-name"} {
					if f.Changed(fl) {
						return usageError("--%s cannot be used with --infra=false", fl)
					}
				}
			}
			if infraCommand != "" {
				if strings.HasPrefix(infraCommand, "[") {
					argv, err := parseJSONArray(infraCommand)
					if err != nil {
						return usageError("invalid --infra-command %q: %v", infraCommand, err)
					}
					ps.InfraCommand = argv
				} else {
					ps.InfraCommand = strings.Fields(infraCommand)
				}
			}
			if err := parsePodFlags(&ps, memory, cpus, volumes, publish); err != nil {
				return err
			}
			var err error
			if ps.UserNS, err = specflag.UserNS(userns.mode, userns.uidmap, userns.gidmap, userns.subuid, userns.subgid); err != nil {
				return err
			}
			if replace && ps.Name == "" {
				return usageError("cannot replace pod without a name: use --name")
			}
			e, err := d.Engine(cmd.Context())
			if err != nil {
				return err
			}
			id, err := e.PodCreate(cmd.Context(), &ps, service.PodCreateOptions{Replace: replace, IDFile: podIDFile, Create: service.CreateOptions{Warnings: cmd.ErrOrStderr()}})
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), id)
			return nil
		},
	}
	f := cmd.Flags()
	f.Bool("help", false, "help for this command")
	f.StringVarP(&ps.Name, "name", "n", "", "assign a name to the pod")
	f.StringArrayVarP(&labels, "label", "l", nil, "set metadata on pod")
	f.StringVarP(&ps.Hostname, "hostname", "h", "", "set the pod's hostname")
	f.StringVar(&share, "share", "", "a comma-separated list of kernel namespaces to share (cgroup, ipc, net, pid, uts or none); +NS adds to the default")
	f.BoolVar(&ps.Infra, "infra", true, "create an infra container associated with the pod to share namespaces with")
	f.StringVar(&ps.InfraImage, "infra-image", "", "the image of the infra container (default: none, a pause process from catatonit)")
	f.StringVar(&infraCommand, "infra-command", "", "the command to run on the infra container when the pod is started")
	f.StringVar(&ps.InfraName, "infra-name", "", "the name used as infra container name")
	f.StringVar(&ps.CgroupParent, "cgroup-parent", "", "set parent cgroup for the pod")
	f.StringVar(&ps.ExitPolicy, "exit-policy", "continue", "behaviour when the last container exits (continue or stop)")
	f.StringVarP(&memory, "memory", "m", "", "memory limit of the pod (format: <number>[<unit>], where unit = b, k, m or g)")
	f.StringVar(&cpus, "cpus", "", "number of CPUs the pod may use")
	f.StringVar(&ps.Pid, "pid", "", "PID namespace to use for the pod (host or private)")
	bindUsernsFlags(f, &userns)
	f.Lookup("userns").Usage = "user namespace of every container in the pod (host, private, auto[:OPTIONS], keep-id[:OPTIONS], nomap)"
	f.StringArrayVarP(&volumes, "volume", "v", nil, "bind mount a volume into every container of the pod")
	f.StringArrayVar(&ps.VolumesFrom, "volumes-from", nil, "mount volumes from the specified container(s)")
	f.BoolVar(&replace, "replace", false, "if a pod with the same name exists, replace it")
	f.StringVar(&podIDFile, "pod-id-file", "", "write the pod ID to the file")
	f.StringVar(&ps.InfraConmonPidFile, "infra-conmon-pidfile", "", "write the infra container's conmon PID to the file when the pod starts")
	f.StringArrayVarP(&publish, "publish", "p", nil, "publish a container's port, or a range of ports, to the host")
	f.StringArrayVar(&ps.Network, "network", nil, "connect the pod to a network")
	f.StringArrayVar(&ps.Network, "net", nil, "connect the pod to a network")
	_ = f.MarkHidden("net")
	f.StringArrayVar(&ps.NetworkAlias, "network-alias", nil, "add a network-scoped alias for the pod")
	f.StringVar(&ps.IP, "ip", "", "specify a static IPv4 or IPv6 address for the pod")
	f.StringVar(&ps.MacAddress, "mac-address", "", "pod MAC address (e.g. 92:d0:c6:0a:29:33)")
	f.StringArrayVar(&ps.DNS, "dns", nil, "set custom DNS servers")
	f.StringArrayVar(&ps.DNSSearch, "dns-search", nil, "set custom DNS search domains")
	f.StringArrayVar(&ps.DNSOption, "dns-option", nil, "set custom DNS options")
	f.StringArrayVar(&ps.AddHost, "add-host", nil, "add a custom host-to-IP mapping (host:ip)")
	f.BoolVar(&ps.NoHosts, "no-hosts", false, "do not create /etc/hosts within the pod's containers")
	return cmd
}

// parsePodFlags fills the pod's typed fields from --memory, --cpus, -v and
// -p.
func parsePodFlags(ps *spec.PodSpec, memory, cpus string, volumes, publish []string) error {
	var err error
	if memory != "" {
		if ps.Memory, err = specflag.Memory(memory); err != nil {
			return err
		}
	}
	if cpus != "" {
		if ps.NanoCPUs, err = specflag.CPUs(cpus); err != nil {
			return err
		}
	}
	if ps.Mounts, err = parseMounts(volumes, nil, nil); err != nil {
		return err
	}
	ps.Ports, err = parsePublish(publish)
	return err
}
