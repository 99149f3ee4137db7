package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/cli/format"
	"github.com/berth-dev/berth/service"
	units "github.com/docker/go-units"
	"github.com/spf13/cobra"
	"go.podman.io/image/v5/docker/reference"
)

// newArtifactCommand is podman 5's `artifact` group: OCI artifacts (files
// under an artifact manifest) in a local store, pushed to and pulled from
// registries.
func newArtifactCommand(d *Deps) *cobra.Command {
	c := &cobra.Command{Use: "artifact", Short: "Manage OCI artifacts", RunE: subcommandRequired}
	c.AddCommand(newArtifactAddCommand(d), newArtifactLsCommand(d), newArtifactInspectCommand(d),
		newArtifactRmCommand(d), newArtifactExtractCommand(d), newArtifactPullCommand(d), newArtifactPushCommand(d))
	return c
}

func newArtifactAddCommand(d *Deps) *cobra.Command {
	var o service.ArtifactAddOptions
	var annotations []string
	cmd := &cobra.Command{
		Use:   "add [options] ARTIFACT PATH [...PATH]",
		Short: "Add an OCI artifact to the local store",
		Args:  cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, a := range annotations {
				if !strings.Contains(a, "=") {
					return usageError("annotation %q must include an '=' sign", a)
				}
			}
			var err error
			if o.Annotations, err = parseKeyValues("annotation", annotations); err != nil {
				return err
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			dg, err := service.ArtifactAdd(rt, args[0], args[1:], o)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), dg.Encoded())
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&annotations, "annotation", nil, "set an `annotation` for the specified files of artifact")
	f.StringVar(&o.Type, "type", "", "Use type to describe an artifact")
	f.BoolVarP(&o.Append, "append", "a", false, "Append files to an existing artifact")
	f.StringVar(&o.FileType, "file-type", "", "Set file type to use for the artifact (layer)")
	return cmd
}

// artifactRow is one line of `artifact ls` (podman's artifactListOutput).
type artifactRow struct {
	Repository, Tag, Digest, Size string
}

func newArtifactLsCommand(d *Deps) *cobra.Command {
	var fmtStr string
	var noHeading, noTrunc bool
	cmd := &cobra.Command{
		Use:     "ls [options]",
		Aliases: []string{"list"},
		Short:   "List OCI artifacts",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			list, err := service.ArtifactList(rt)
			if err != nil {
				return err
			}
			rows := make([]any, 0, len(list))
			for _, a := range list {
				r := artifactRow{Repository: a.Name, Size: units.HumanSize(float64(a.Size))}
				if ref, err := reference.Parse(a.Name); err == nil {
					if named, ok := ref.(reference.Named); ok {
						r.Repository = named.Name()
					}
					if t, ok := ref.(reference.Tagged); ok {
						r.Tag = t.Tag()
					}
				}
				r.Digest = strings.TrimPrefix(a.Digest, "sha256:")
				if !noTrunc && len(r.Digest) > 12 {
					r.Digest = r.Digest[:12]
				}
				rows = append(rows, r)
			}
			if format.IsJSON(fmtStr) {
				return format.JSON(cmd.OutOrStdout(), rows)
			}
			return format.Execute(cmd.OutOrStdout(), fmtStr, rows,
				format.WithDefaultTable("table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.Size}}"),
				format.WithNoHeading(noHeading))
		},
	}
	f := cmd.Flags()
	f.StringVar(&fmtStr, "format", "", "Format volume output using JSON or a Go template")
	f.BoolVarP(&noHeading, "noheading", "n", false, "Do not print column headings")
	f.BoolVar(&noTrunc, "no-trunc", false, "Do not truncate output")
	return cmd
}

func newArtifactInspectCommand(d *Deps) *cobra.Command {
	var fmtStr string
	cmd := &cobra.Command{
		Use:   "inspect [ARTIFACT...]",
		Short: "Inspect an OCI artifact",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			a, err := service.ArtifactInspect(rt, args[0])
			if err != nil {
				return err
			}
			if fmtStr == "" || format.IsJSON(fmtStr) {
				return format.JSON(cmd.OutOrStdout(), a)
			}
			return format.Execute(cmd.OutOrStdout(), fmtStr, []any{a})
		},
	}
	cmd.Flags().StringVarP(&fmtStr, "format", "f", "json", "Format volume output using JSON or a Go template")
	return cmd
}

func newArtifactRmCommand(d *Deps) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:     "rm [options] ARTIFACT",
		Aliases: []string{"remove"},
		Short:   "Remove an OCI artifact",
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case all && len(args) > 0:
				return usageError("when using the --all switch, you may not pass any artifact names or digests")
			case !all && len(args) < 1:
				return usageError("a single artifact name or digest must be specified")
			case !all && len(args) > 1:
				return usageError("too many arguments: only accepts one artifact name or digest ")
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			name := ""
			if len(args) > 0 {
				name = args[0]
			}
			digests, err := service.ArtifactRemove(rt, name, all)
			if err != nil {
				return err
			}
			for _, dg := range digests {
				fmt.Fprintln(cmd.OutOrStdout(), dg.Encoded())
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "Remove all artifacts")
	return cmd
}

func newArtifactExtractCommand(d *Deps) *cobra.Command {
	var o service.ArtifactExtractOptions
	cmd := &cobra.Command{
		Use:   "extract [options] ARTIFACT PATH",
		Short: "Extract an OCI artifact to a local path",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			return service.ArtifactExtract(rt, args[0], args[1], o)
		},
	}
	cmd.Flags().StringVar(&o.Digest, "digest", "", "Only extract blob with the given digest")
	cmd.Flags().StringVar(&o.Title, "title", "", "Only extract blob with the given title")
	return cmd
}

// artifactTransferFlags are the flags artifact pull and push share.
type artifactTransferFlags struct {
	reg        registryFlags
	quiet      bool
	retry      uint
	retryDelay string
}

func (t *artifactTransferFlags) bind(cmd *cobra.Command, verb string) {
	f := cmd.Flags()
	bindRegistryFlags(f, &t.reg, true)
	f.BoolVarP(&t.quiet, "quiet", "q", false, "Suppress output information when "+verb+"ing images")
	f.UintVar(&t.retry, "retry", 3, "number of times to retry in case of failure when performing "+verb)
	f.StringVar(&t.retryDelay, "retry-delay", "", "delay between retries in case of "+verb+" failures")
}

func (t *artifactTransferFlags) options(cmd *cobra.Command) (service.ArtifactTransferOptions, error) {
	ro, err := t.reg.options(cmd)
	if err != nil {
		return service.ArtifactTransferOptions{}, err
	}
	o := service.ArtifactTransferOptions{RegistryOptions: ro, MaxRetries: t.retry}
	if !t.quiet {
		o.ReportWriter = cmd.OutOrStdout()
	}
	return o, nil
}

func newArtifactPullCommand(d *Deps) *cobra.Command {
	var t artifactTransferFlags
	cmd := &cobra.Command{
		Use:   "pull [options] ARTIFACT",
		Short: "Pull an OCI artifact",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o, err := t.options(cmd)
			if err != nil {
				return err
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			_, err = service.ArtifactPull(cmd.Context(), rt, args[0], o)
			return err
		},
	}
	t.bind(cmd, "pull")
	return needsFull(cmd)
}

func newArtifactPushCommand(d *Deps) *cobra.Command {
	var t artifactTransferFlags
	var digestFile string
	cmd := &cobra.Command{
		Use:   "push [options] ARTIFACT",
		Short: "Push an OCI artifact",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o, err := t.options(cmd)
			if err != nil {
				return err
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			dest := ""
			if len(args) > 1 {
				dest = args[1]
			}
			dg, err := service.ArtifactPush(cmd.Context(), rt, args[0], dest, o)
			if err != nil {
				return err
			}
			if digestFile != "" {
				if err := os.WriteFile(filepath.Clean(digestFile), []byte(dg.String()), 0o644); err != nil {
					return err
				}
			}
			return nil
		},
	}
	t.bind(cmd, "push")
	cmd.Flags().StringVar(&digestFile, "digestfile", "", "Write the digest of the pushed image to the specified file")
	return needsFull(cmd)
}
