package cli

import (
	"fmt"
	"strings"

	"github.com/berth-dev/berth/service"
	digest "github.com/opencontainers/go-digest"
	"github.com/spf13/cobra"
)

func newManifestAnnotateCommand(d *Deps) *cobra.Command {
	var o service.ManifestAnnotateOptions
	var annotations []string
	cmd := &cobra.Command{
		Use:   "annotate [options] LIST IMAGEORDIGEST",
		Short: "Add or update information about an entry in a manifest list or image index",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 && !o.Index {
				return usageError("requires exactly 2 arguments (a list and an instance digest) unless --index is given")
			}
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
			var dg digest.Digest
			if len(args) == 2 {
				var err error
				if dg, err = digest.Parse(args[1]); err != nil {
					return usageError("invalid image digest %q: %v", args[1], err)
				}
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			id, err := service.ManifestAnnotate(rt, args[0], dg, o)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), id)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&annotations, "annotation", nil, "set an annotation for the specified image")
	f.StringVar(&o.Arch, "arch", "", "override the architecture of the specified image")
	f.StringVar(&o.OS, "os", "", "override the operating system of the specified image")
	f.StringSliceVar(&o.OSFeatures, "os-features", nil, "override the OS features of the specified image")
	f.StringVar(&o.OSVersion, "os-version", "", "override the OS version of the specified image")
	f.StringVar(&o.Variant, "variant", "", "override the architecture variant of the specified image")
	f.BoolVar(&o.Index, "index", false, "apply --annotation values to the image index itself")
	return cmd
}

func newManifestExistsCommand(d *Deps) *cobra.Command {
	return &cobra.Command{
		Use:   "exists LIST",
		Short: "Check if a manifest list exists in local storage",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			ok, err := service.ManifestExists(rt, args[0])
			if err != nil {
				return err
			}
			if !ok {
				return &ExitError{Code: 1}
			}
			return nil
		},
	}
}
