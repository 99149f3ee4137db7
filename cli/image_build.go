//go:build !berth_lean

package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// buildFlags are `build`'s options.
type buildFlags struct {
	reg                    registryFlags
	tags, files, buildArgs []string
	argFiles, labels       []string
	volumes, secrets, ssh  []string
	buildContexts          []string
	annotations            []string
	cacheFrom, cacheTo     []string
	platform, progress     string
	isolation, manifest    string
	target, pull, iidfile  string
	network, format        string
	noCache, layers, quiet bool
	rm, forceRm, squashAll bool
	squash                 bool
}

func newBuildCommand(d *Deps) *cobra.Command {
	var o buildFlags
	cmd := &cobra.Command{
		Use:   "build [options] [CONTEXT]",
		Short: "Build an image using instructions from Containerfiles",
		Long: "Build an image from a Containerfile (or Dockerfile) and a context: a directory, a tarball, or - for\n" +
			"stdin (a tarball, or a Containerfile alone).",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runBuild(cmd, d, &o, args) },
	}
	f := cmd.Flags()
	bindRegistryFlags(f, &o.reg, true)
	f.StringArrayVarP(&o.tags, "tag", "t", nil, "name the resulting image (repeatable)")
	f.StringArrayVarP(&o.files, "file", "f", nil, "the Containerfile (a path, or - for stdin)")
	f.StringArrayVar(&o.buildArgs, "build-arg", nil, "ARG value for the build (KEY=VALUE, or KEY from the environment)")
	f.StringArrayVar(&o.argFiles, "build-arg-file", nil, "file of KEY=VALUE build arguments, one a line")
	f.StringArrayVar(&o.labels, "label", nil, "set a label on the image (KEY=VALUE)")
	f.StringVar(&o.target, "target", "", "the stage to build (and stop at)")
	f.StringVar(&o.pull, "pull", service.PullMissing, `pull policy of base images ("always"|"missing"|"never"|"newer")`)
	f.Lookup("pull").NoOptDefVal = service.PullAlways
	f.StringVar(&o.iidfile, "iidfile", "", "write the image ID to this file")
	f.StringVar(&o.network, "network", "", "network mode of RUN containers")
	f.StringVar(&o.format, "format", "oci", "image format (oci or docker)")
	f.StringArrayVarP(&o.volumes, "volume", "v", nil, "bind mount for RUN containers (SRC:DST[:OPTS])")
	f.StringVar(&o.progress, "progress", "auto", "progress output: auto, plain, tty or quiet (docker's flag; the log is always plain)")
	f.StringVar(&o.isolation, "isolation", "oci", "how RUN steps are isolated (oci: a container of the OCI runtime)")
	f.StringArrayVar(&o.buildContexts, "build-context", nil, "named context for COPY --from, RUN --mount from= and FROM (NAME=DIR or NAME=docker-image://REF)")
	f.StringVar(&o.manifest, "manifest", "", "add the image to this manifest list (created if missing)")
	f.StringArrayVar(&o.secrets, "secret", nil, "secret for RUN --mount=type=secret (id=ID,src=FILE or id=ID,env=VAR)")
	f.StringArrayVar(&o.ssh, "ssh", nil, "SSH agent socket or keys for RUN --mount=type=ssh (default|ID[=SOCKET|KEYFILE[,KEYFILE...]])")
	f.StringVar(&o.platform, "platform", "", "the platform to build for (only the host's: "+runtime.GOOS+"/"+runtime.GOARCH+")")
	f.BoolVar(&o.noCache, "no-cache", false, "do not use cached steps")
	f.BoolVar(&o.squashAll, "squash-all", false, "make the image one layer (its whole root) with one history entry")
	f.BoolVar(&o.squash, "squash", false, "make the layers the build adds to its base image one")
	f.StringSliceVar(&o.cacheFrom, "cache-from", nil, "registry repository to pull cached steps from (tagged with their cache keys)")
	f.StringSliceVar(&o.cacheTo, "cache-to", nil, "registry repository to push the steps' images to, for --cache-from")
	f.StringArrayVar(&o.annotations, "annotation", nil, "set an annotation on the image's manifest (KEY=VALUE)")
	f.BoolVar(&o.layers, "layers", true, "cache intermediate images (each step's)")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "print only the image ID")
	f.BoolVar(&o.rm, "rm", true, "remove the RUN containers of successful steps")
	f.BoolVar(&o.forceRm, "force-rm", true, "remove the RUN container of a failed step too")
	return needsFull(cmd)
}

// newBuildxCommand is `buildx`, docker's builder group: `buildx build` is
// `build`.
func newBuildxCommand(d *Deps) *cobra.Command {
	c := &cobra.Command{Use: "buildx", Short: "Build images (docker buildx compatibility)", RunE: subcommandRequired}
	c.AddCommand(newBuildCommand(d))
	return c
}

func runBuild(cmd *cobra.Command, d *Deps, o *buildFlags, args []string) error {
	opts, src, err := o.options(cmd, args)
	if err != nil {
		return err
	}
	defer src.Remove()
	secrets, removeSecrets, err := parseSecrets(o.secrets)
	defer removeSecrets()
	if err != nil {
		return err
	}
	opts.Secrets = secrets
	if opts.SSH, err = service.ParseBuildSSH(o.ssh, os.Getenv); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rt, err := d.Runtime(ctx)
	if err != nil {
		return err
	}
	res, err := service.Build(ctx, rt, opts)
	if err != nil {
		var se *service.BuildStepError
		if errors.As(err, &se) && se.ExitCode() > 0 {
			return &codedError{error: err, code: se.ExitCode()}
		}
		return err
	}
	if o.manifest != "" {
		if _, err := service.ManifestCreate(ctx, rt, o.manifest, []string{res.Image.ID}, service.ManifestCreateOptions{Amend: true}); err != nil {
			return fmt.Errorf("--manifest %s: %w", o.manifest, err)
		}
	}
	if o.iidfile != "" {
		if err := os.WriteFile(o.iidfile, []byte("sha256:"+res.Image.ID), 0o644); err != nil {
			return fmt.Errorf("writing --iidfile: %w", err)
		}
	}
	fmt.Fprintln(cmd.OutOrStdout(), res.Image.ID)
	return nil
}

// options checks the flags and prepares the context.
func (o *buildFlags) options(cmd *cobra.Command, args []string) (service.BuildOptions, *service.BuildSource, error) {
	var opts service.BuildOptions
	if err := service.ValidPullPolicy(o.pull); err != nil {
		switch o.pull {
		case "true":
			o.pull = service.PullAlways
		case "false":
			o.pull = service.PullMissing
		default:
			return opts, nil, err
		}
	}
	if env := os.Getenv("BUILDAH_FORMAT"); env != "" && !cmd.Flags().Changed("format") {
		// podman's default format comes from the environment too.
		o.format = env
	}
	switch o.format {
	case "oci", "docker":
	default:
		return opts, nil, fmt.Errorf("unrecognized image type %q: must be oci or docker: %w", o.format, define.ErrInvalidArg)
	}
	if p := o.platform; p != "" && p != runtime.GOOS+"/"+runtime.GOARCH && p != runtime.GOARCH {
		return opts, nil, fmt.Errorf("--platform %s: only the host's platform (%s/%s) can be built: %w", p, runtime.GOOS, runtime.GOARCH, define.ErrInvalidArg)
	}
	switch o.progress {
	case "auto", "plain", "tty", "quiet":
	case "rawjson":
		// buildkit's JSON stream of solve status: there is no such
		// stream to give, and a plain log would not be what was asked.
		return opts, nil, fmt.Errorf("--progress rawjson is not supported: the build log is plain text (auto, plain, tty or quiet): %w", define.ErrInvalidArg)
	default:
		return opts, nil, fmt.Errorf("invalid --progress %q: must be auto, plain, tty or quiet: %w", o.progress, define.ErrInvalidArg)
	}
	annotations := map[string]string{}
	for _, a := range o.annotations {
		k, v, ok := strings.Cut(a, "=")
		if !ok || k == "" {
			return opts, nil, fmt.Errorf("invalid --annotation %q: KEY=VALUE: %w", a, define.ErrInvalidArg)
		}
		annotations[k] = v
	}
	if len(annotations) > 0 && o.format == "docker" {
		return opts, nil, fmt.Errorf("--annotation needs --format oci: docker manifests have no annotations: %w", define.ErrInvalidArg)
	}
	if o.progress == "quiet" {
		o.quiet = true
	}
	if o.isolation != "oci" && o.isolation != "default" {
		return opts, nil, fmt.Errorf("--isolation %s is not supported: RUN steps run in OCI runtime containers (oci): %w", o.isolation, define.ErrInvalidArg)
	}
	contexts := map[string]string{}
	for _, bc := range o.buildContexts {
		name, v, ok := strings.Cut(bc, "=")
		if !ok || name == "" || v == "" {
			return opts, nil, fmt.Errorf("invalid --build-context %q: NAME=DIR or NAME=docker-image://REF: %w", bc, define.ErrInvalidArg)
		}
		if !strings.HasPrefix(v, "docker-image://") {
			if strings.Contains(v, "://") {
				return opts, nil, fmt.Errorf("--build-context %s: only directories and docker-image:// are supported: %w", bc, define.ErrInvalidArg)
			}
			abs, err := filepath.Abs(v)
			if err != nil {
				return opts, nil, err
			}
			if info, err := os.Stat(abs); err != nil || !info.IsDir() {
				return opts, nil, fmt.Errorf("--build-context %s: not a directory: %w", bc, define.ErrInvalidArg)
			}
			v = abs
		}
		contexts[name] = v
	}
	if len(o.files) > 1 {
		return opts, nil, fmt.Errorf("only one --file is supported for now: %w", define.ErrInvalidArg)
	}
	buildArgs, err := o.args()
	if err != nil {
		return opts, nil, err
	}
	labels := map[string]string{}
	for _, l := range o.labels {
		k, v, _ := strings.Cut(l, "=")
		if k == "" {
			return opts, nil, fmt.Errorf("invalid label %q: %w", l, define.ErrInvalidArg)
		}
		labels[k] = v
	}
	file := ""
	if len(o.files) == 1 {
		file = o.files[0]
	}
	ctxArg := "."
	if len(args) == 1 {
		ctxArg = args[0]
	} else if file != "" && file != "-" {
		// podman: -f without a context uses the Containerfile's directory.
		ctxArg = filepath.Dir(file)
	}
	if ctxArg == "-" && file == "-" {
		return opts, nil, fmt.Errorf("the context and the Containerfile cannot both be read from stdin: %w", define.ErrInvalidArg)
	}
	src, err := service.OpenBuildSource(ctxArg, cmd.InOrStdin())
	if err != nil {
		return opts, nil, err
	}
	opts = service.BuildOptions{ContextDir: src.Dir, ContainerfileData: src.Containerfile, Tags: o.tags,
		Args: buildArgs, Target: o.target, NoCache: o.noCache, NoLayers: !o.layers, Pull: o.pull,
		Labels: labels, Network: o.network, Volumes: o.volumes,
		KeepContainers: !o.rm, KeepFailed: !o.forceRm, SquashAll: o.squashAll, BuildContexts: contexts,
		Format: o.format, Squash: o.squash, Annotations: annotations, CacheFrom: o.cacheFrom, CacheTo: o.cacheTo}
	switch {
	case file == "-":
		b, err := io.ReadAll(cmd.InOrStdin())
		if err != nil {
			src.Remove()
			return opts, nil, fmt.Errorf("reading the Containerfile from stdin: %w", err)
		}
		opts.ContainerfileData, opts.ContainerfileName = b, "Containerfile"
	case file != "":
		if src.Extracted && !filepath.IsAbs(file) {
			file = filepath.Join(src.Dir, file)
		} else if _, err := os.Stat(file); err != nil && src.Dir != "" && !filepath.IsAbs(file) {
			file = filepath.Join(src.Dir, file)
		}
		opts.Containerfile = file
	}
	if opts.Registry, err = o.reg.options(cmd); err != nil {
		src.Remove()
		return opts, nil, err
	}
	if !o.quiet {
		opts.Out = cmd.OutOrStdout()
		opts.PullWriter = cmd.ErrOrStderr()
	}
	return opts, src, nil
}

// args merges --build-arg-file and --build-arg values (the flag wins).
func (o *buildFlags) args() (map[string]string, error) {
	var values []string
	for _, f := range o.argFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("--build-arg-file: %w", err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
				values = append(values, l)
			}
		}
	}
	return service.ParseBuildArgs(append(values, o.buildArgs...), os.LookupEnv)
}

// newBuilderCommand is `builder`: `builder prune` removes the build cache,
// the images no container uses that builds left unnamed (with -a every
// unused image) and the RUN cache-mount directories.
func newBuilderCommand(d *Deps) *cobra.Command {
	var all, force bool
	prune := &cobra.Command{
		Use:   "prune [options]",
		Short: "Remove the build cache",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !force {
				ok, err := confirm(cmd, "WARNING! This command removes the build cache: dangling images and RUN cache mounts.\nAre you sure you want to continue? [y/N] ")
				if err != nil || !ok {
					return err
				}
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			ids, err := service.PruneImages(cmd.Context(), rt, service.ImagePruneOptions{All: all})
			for _, id := range ids {
				fmt.Fprintln(cmd.OutOrStdout(), id)
			}
			if err != nil {
				return err
			}
			return service.PruneBuildCache(rt)
		},
	}
	prune.Flags().BoolVarP(&all, "all", "a", false, "remove every image no container uses, not only dangling ones")
	prune.Flags().BoolVarP(&force, "force", "f", false, "do not prompt for confirmation")
	c := &cobra.Command{Use: "builder", Short: "Manage the build cache", RunE: subcommandRequired}
	c.AddCommand(prune)
	return c
}

// parseSecrets reads --secret values: id=ID with src=FILE (or source=), or
// env=VAR, whose value is written to a private temporary file that
// remove deletes.
func parseSecrets(values []string) (_ map[string]string, remove func(), _ error) {
	out := map[string]string{}
	var tmp []string
	remove = func() {
		for _, f := range tmp {
			os.Remove(f)
		}
	}
	for _, v := range values {
		kv := map[string]string{}
		for _, field := range strings.Split(v, ",") {
			k, val, ok := strings.Cut(field, "=")
			if !ok {
				return nil, remove, fmt.Errorf("invalid --secret %q: fields are key=value: %w", v, define.ErrInvalidArg)
			}
			kv[k] = val
		}
		id, src := kv["id"], kv["src"]
		if src == "" {
			src = kv["source"]
		}
		if t := kv["type"]; t != "" && t != "file" && t != "env" {
			return nil, remove, fmt.Errorf("invalid --secret %q: type must be file or env: %w", v, define.ErrInvalidArg)
		}
		if envName := kv["env"]; src == "" && envName != "" {
			val, ok := os.LookupEnv(envName)
			if !ok {
				return nil, remove, fmt.Errorf("--secret %s: environment variable %s is not set: %w", id, envName, define.ErrInvalidArg)
			}
			f, err := os.CreateTemp("", "berth-secret-")
			if err != nil {
				return nil, remove, err
			}
			tmp = append(tmp, f.Name())
			_, err = f.WriteString(val)
			f.Close()
			if err != nil {
				return nil, remove, err
			}
			src = f.Name()
		}
		if id == "" || src == "" {
			return nil, remove, fmt.Errorf("invalid --secret %q: id= and src= (or env=) are required: %w", v, define.ErrInvalidArg)
		}
		if _, err := os.Stat(src); err != nil {
			return nil, remove, fmt.Errorf("--secret %s: %w", id, err)
		}
		out[id] = src
	}
	return out, remove, nil
}
