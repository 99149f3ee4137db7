package cli

import (
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newPushCommand(d *Deps) *cobra.Command {
	var (
		reg        registryFlags
		o          service.PushOptions
		quiet      bool
		digestFile string
		level      int
		allTags    bool
		platform   string
		x          pushExtraFlags
	)
	cmd := &cobra.Command{
		Use:   "push [options] IMAGE [DESTINATION]",
		Short: "Push an image to a specified destination",
		Long: "Push an image to a registry (DESTINATION defaults to the image's name) or to a transport:\n" +
			"docker://, oci:, oci-archive:, docker-archive:, dir:.",
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ro, err := reg.options(cmd)
			if err != nil {
				return err
			}
			o.RegistryOptions = ro
			if err := x.apply(cmd, &o); err != nil {
				return err
			}
			if cmd.Flags().Changed("compression-level") {
				o.CompressionLevel = &level
			}
			if !quiet {
				o.ReportWriter = cmd.ErrOrStderr()
			}
			if allTags && len(args) == 2 {
				return usageError("--all-tags takes a repository and no destination")
			}
			dest := ""
			if len(args) == 2 {
				dest = args[1]
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			if platform != "" {
				if allTags {
					return usageError("--platform can't be used with --all-tags/-a")
				}
				img, err := service.LookupImage(rt, args[0])
				if err != nil {
					return err
				}
				if err := checkPushPlatform(imagePlatform{args[0], img.Os, img.Arch, img.Variant}, platform); err != nil {
					return err
				}
			}
			popts := service.PushImageOptions{PushOptions: o, DigestFile: digestFile}
			if allTags {
				return service.PushAllTags(cmd.Context(), rt, args[0], popts, nil)
			}
			_, err = service.Push(cmd.Context(), rt, args[0], dest, popts)
			return err
		},
	}
	f := cmd.Flags()
	bindRegistryFlags(f, &reg, true)
	f.StringVarP(&o.Format, "format", "f", "", "manifest type (oci, v2s2) to use in the destination (default is manifest type of source)")
	f.StringVar(&o.CompressionFormat, "compression-format", "", "compression format to use (gzip, zstd, zstd:chunked)")
	f.IntVar(&level, "compression-level", 0, "compression level to use")
	f.BoolVar(&o.RemoveSignatures, "remove-signatures", false, "discard any pre-existing signatures in the image")
	f.StringVar(&digestFile, "digestfile", "", "write the digest of the pushed image to the specified file")
	f.BoolVarP(&quiet, "quiet", "q", false, "suppress output information when pushing images")
	f.BoolVarP(&allTags, "all-tags", "a", false, "push all tags of the repository (docker)")
	f.StringVar(&platform, "platform", "", "push the image only if it is for this platform, `OS[/ARCH[/VARIANT]]` (docker)")
	bindPushExtraFlags(f, &x)
	return needsFull(cmd)
}
