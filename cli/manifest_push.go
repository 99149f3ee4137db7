package cli

import (
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newManifestPushCommand(d *Deps) *cobra.Command {
	var (
		reg        registryFlags
		o          service.ManifestPushOptions
		all        bool
		rm, quiet  bool
		digestFile string
	)
	cmd := &cobra.Command{
		Use:   "push [options] LIST [DESTINATION]",
		Short: "Push a manifest list or image index to a registry",
		Long:  "Push a manifest list and all its images to a registry or transport (DESTINATION defaults to the list's name).",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !all {
				// A registry refuses a list whose images it does not have.
				return usageError("--all=false is not supported: a list is pushed with its images")
			}
			ro, err := reg.options(cmd)
			if err != nil {
				return err
			}
			o.RegistryOptions = ro
			if !quiet {
				o.ReportWriter = cmd.ErrOrStderr()
			}
			dest := ""
			if len(args) == 2 {
				dest = args[1]
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			o.DigestFile, o.Remove = digestFile, rm
			_, err = service.ManifestPush(cmd.Context(), rt, args[0], dest, o)
			return err
		},
	}
	f := cmd.Flags()
	bindRegistryFlags(f, &reg, true)
	f.BoolVar(&all, "all", true, "also push the images in the list")
	f.StringVarP(&o.Format, "format", "f", "", "manifest type (oci or v2s2) to use when pushing the list (default oci)")
	f.BoolVar(&o.RemoveSignatures, "remove-signatures", false, "don't copy signatures when pushing images")
	f.BoolVar(&rm, "rm", false, "remove the manifest list if push succeeds")
	f.BoolVarP(&quiet, "quiet", "q", false, "don't output progress information when pushing lists")
	f.StringVar(&digestFile, "digestfile", "", "after copying the list, write its digest to the file")
	return cmd
}
