package cli

import (
	"fmt"
	"strings"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newManifestAddCommand(d *Deps) *cobra.Command {
	var (
		reg         registryFlags
		o           service.ManifestAddOptions
		annotations []string
	)
	cmd := &cobra.Command{
		Use:   "add [options] LIST IMAGE",
		Short: "Add images to a manifest list or image index",
		Long:  "Add an image (a transport reference, a local image, or a registry name) to a manifest list.",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ro, err := reg.options(cmd)
			if err != nil {
				return err
			}
			o.RegistryOptions = ro
			for _, a := range annotations {
				k, v, ok := strings.Cut(a, "=")
				if !ok || k == "" {
					return usageError("no value given for annotation %q", a)
				}
				if o.Annotations == nil {
					o.Annotations = map[string]string{}
				}
				o.Annotations[k] = v
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			id, err := service.ManifestAdd(cmd.Context(), rt, args[0], args[1], o)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), id)
			return nil
		},
	}
	f := cmd.Flags()
	bindRegistryFlags(f, &reg, true)
	f.BoolVar(&o.All, "all", false, "add all of the list's images if the image is a list")
	f.StringVar(&o.OS, "os", "", "override the operating system of the added image")
	f.StringVar(&o.Arch, "arch", "", "override the architecture of the added image")
	f.StringVar(&o.Variant, "variant", "", "override the architecture variant of the added image")
	f.StringArrayVar(&annotations, "annotation", nil, "set an annotation on the added image (`key=value`)")
	return cmd
}
