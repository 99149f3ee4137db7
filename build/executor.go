package build

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/image"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/moby/patternmatcher"
)

// builder is one build in progress.
type builder struct {
	opts     *Options
	rt       *engine.Runtime
	images   *image.Service
	runner   Runner
	file     *file
	lex      *shell.Lex
	global   *args
	usedArgs map[string]bool
	out      io.Writer
	ignore   *patternmatcher.PatternMatcher
	// stageImages is each built stage's final image (nil: an empty
	// scratch stage).
	stageImages []*define.Image
	stageNames  map[string]int
	// stageBases is each stage's FROM image (nil: scratch), what
	// --squash keeps.
	stageBases []*define.Image
	// created are the images this build committed, in order.
	created []string
	// cache is the store's image list for cache lookups, read once.
	cache []*define.Image
	// cacheImages are the CacheImages found, looked up once.
	cacheImages []*define.Image
	cacheLooked bool
	// stepKey is the --cache-to key of the step running; toPush the
	// steps' images to push there when the build has succeeded.
	stepKey string
	toPush  []cachePush
	// lastStep: the step running is the build's last, whose image ID
	// the COMMIT lines report instead.
	lastStep bool
}

// stageState is what a stage's next instruction starts from.
type stageState struct {
	img    *define.Image // the current image; nil for a scratch stage not yet written
	cfg    dockerspec.DockerOCIImageConfig
	author string
	args   *args
	// cmdSet: CMD was given in this stage, so ENTRYPOINT keeps it.
	cmdSet bool
	// triggers are the base image's ONBUILD instructions, run first.
	triggers []string
	prefix   string
}

// Build builds the image opts describe. On failure it leaves no
// container behind; the images of the steps that succeeded stay, as the
// cache of the next attempt (podman and docker keep them too).
func Build(ctx context.Context, rt *engine.Runtime, runner Runner, opts Options) (*Result, error) {
	if err := image.ValidPullPolicy(opts.Pull); err != nil {
		return nil, err
	}
	for _, t := range opts.Tags {
		if _, err := image.NormalizeName(t); err != nil {
			return nil, fmt.Errorf("tag %s: %w", t, err)
		}
	}
	if opts.ContextDir != "" {
		// Absolute: bind mounts of RUN --mount take it as a host path.
		abs, err := filepath.Abs(opts.ContextDir)
		if err != nil {
			return nil, err
		}
		opts.ContextDir = abs
	}
	data, name, err := readContainerfile(&opts)
	if err != nil {
		return nil, err
	}
	f, err := parseFile(name, data)
	if err != nil {
		return nil, err
	}
	images, err := rt.Images()
	if err != nil {
		return nil, err
	}
	ign, err := readIgnore(opts.ContextDir, opts.Containerfile)
	if err != nil {
		return nil, err
	}
	b := &builder{opts: &opts, rt: rt, images: images, runner: runner, file: f,
		lex: shell.NewLex(f.escape), usedArgs: map[string]bool{}, out: opts.Out,
		ignore: ign, stageNames: map[string]int{}}
	if b.out == nil {
		b.out = io.Discard
	}
	last := len(f.stages) - 1
	if opts.Target != "" {
		last = -1
		for i, st := range f.stages {
			if strings.EqualFold(st.Name, opts.Target) {
				last = i
			}
		}
		if last < 0 {
			return nil, fmt.Errorf("the target %q was not found in the provided Containerfile: %w", opts.Target, define.ErrInvalidArg)
		}
	}
	if opts.CacheFrom, err = checkCacheRepos(opts.CacheFrom, "--cache-from"); err != nil {
		return nil, err
	}
	if opts.CacheTo, err = checkCacheRepos(opts.CacheTo, "--cache-to"); err != nil {
		return nil, err
	}
	if err := b.globalArgs(); err != nil {
		return nil, err
	}
	for i := 0; i <= last; i++ {
		img, err := b.buildStage(ctx, i, last+1, i == last)
		if err != nil {
			return nil, err
		}
		b.stageImages = append(b.stageImages, img)
		if n := f.stages[i].Name; n != "" {
			b.stageNames[strings.ToLower(n)] = i
		}
	}
	if unused := unusedArgs(opts.Args, b.usedArgs); len(unused) > 0 {
		fmt.Fprintf(b.out, "[Warning] one or more build args were not consumed: [%s]\n", strings.Join(unused, " "))
	}
	return b.finish(ctx, last)
}

// globalArgs evaluates the ARGs before the first FROM: they can be used
// in FROM lines, and in a stage that declares them again.
// pullOptions are the options of pulling ref for a FROM or COPY --from.
func (b *builder) pullOptions(ref, policy string) image.PullOptions {
	ro := b.opts.Registry
	if b.opts.LoopbackInsecure {
		ro.LoopbackInsecure(ref)
	}
	return image.PullOptions{RegistryOptions: ro, Policy: policy, ReportWriter: b.opts.PullWriter}
}

func (b *builder) globalArgs() error {
	b.global = newArgs()
	for i := range b.file.metaArgs {
		if err := declareArgs(b.global, &b.file.metaArgs[i], b.opts.Args, nil, nil, b.lex, b.usedArgs); err != nil {
			return locate(b.file.name, err, "expanding ARG in")
		}
	}
	return nil
}

// buildStage runs stage i and returns its final image.
func (b *builder) buildStage(ctx context.Context, i, count int, final bool) (*define.Image, error) {
	st := b.file.stages[i]
	s := &stageState{args: newArgs()}
	if count > 1 {
		s.prefix = fmt.Sprintf("[%d/%d] ", i+1, count)
	}
	steps := len(st.Commands) + 1
	fmt.Fprintf(b.out, "%sSTEP 1/%d: %s\n", s.prefix, steps, st.SourceCode)
	fail := func(step string, l int, err error) error {
		return &StepError{File: b.file.name, Line: l, Step: step, Err: err}
	}
	if err := b.from(ctx, s, st); err != nil {
		return nil, fail(st.SourceCode, line(st.Location), err)
	}
	b.stageBases = append(b.stageBases, s.img)
	for _, trigger := range s.triggers {
		fmt.Fprintf(b.out, "%sONBUILD %s\n", s.prefix, trigger)
		if err := b.runTrigger(ctx, s, trigger); err != nil {
			return nil, fail("ONBUILD "+trigger, line(st.Location), err)
		}
	}
	for n, cmd := range st.Commands {
		text := commandText(cmd)
		fmt.Fprintf(b.out, "%sSTEP %d/%d: %s\n", s.prefix, n+2, steps, text)
		b.lastStep = final && n == len(st.Commands)-1 && len(b.opts.Labels) == 0
		if err := b.dispatch(ctx, s, cmd); err != nil {
			return nil, fail(text, line(cmd.Location()), err)
		}
	}
	return s.img, nil
}

// runTrigger parses and runs one ONBUILD trigger of the base image.
func (b *builder) runTrigger(ctx context.Context, s *stageState, trigger string) error {
	res, err := parser.Parse(strings.NewReader(trigger))
	if err != nil || len(res.AST.Children) != 1 {
		return fmt.Errorf("invalid ONBUILD trigger %q: %v", trigger, err)
	}
	cmd, err := instructions.ParseCommand(res.AST.Children[0])
	if err != nil {
		return fmt.Errorf("invalid ONBUILD trigger %q: %w", trigger, err)
	}
	return b.dispatch(ctx, s, cmd)
}

// commandText is an instruction as written in the Containerfile.
func commandText(cmd instructions.Command) string {
	if s, ok := cmd.(fmt.Stringer); ok {
		return s.String()
	}
	return cmd.Name()
}

// from sets s to the stage's base: scratch, an earlier stage, or an image
// (pulled according to the pull policy).
func (b *builder) from(ctx context.Context, s *stageState, st instructions.Stage) error {
	base, err := expand(b.lex, st.BaseName, mergeEnv(platformEnv(), b.global.env(nil)))
	if err != nil {
		return err
	}
	if base == "" {
		return fmt.Errorf("base name (%s) should not be blank", st.BaseName)
	}
	if st.Platform != "" {
		p, err := expand(b.lex, st.Platform, mergeEnv(platformEnv(), b.global.env(nil)))
		if err != nil {
			return err
		}
		if host := runtime.GOOS + "/" + runtime.GOARCH; p != host && p != runtime.GOARCH {
			return fmt.Errorf("FROM --platform=%s: only the host's platform (%s) can be built", p, host)
		}
	}
	if strings.EqualFold(base, "scratch") {
		return nil
	}
	defer func() {
		// A base's ONBUILD triggers run first in this stage, and are not
		// inherited by its image (docker).
		s.triggers, s.cfg.OnBuild = s.cfg.OnBuild, nil
	}()
	if idx, ok := b.stageNames[strings.ToLower(base)]; ok {
		return b.setBase(s, b.stageImages[idx])
	}
	if _, ok := b.contextDirNamed(base); ok {
		return fmt.Errorf("FROM %s: a directory build context is not an image", base)
	}
	base = b.imageNamed(base)
	policy := b.opts.Pull
	if policy == "" {
		policy = image.PullMissing
	}
	imgs, err := b.rt.PullImage(ctx, base, b.pullOptions(base, policy))
	if err != nil {
		return err
	}
	if len(imgs) == 0 {
		return fmt.Errorf("%s: %w", base, define.ErrNoSuchImage)
	}
	img, err := b.images.LookupForContainer(imgs[0].ID)
	if err != nil {
		return err
	}
	return b.setBase(s, img)
}

func (b *builder) setBase(s *stageState, img *define.Image) error {
	s.img = img
	if img == nil {
		return nil
	}
	ext, err := b.images.ConfigExt(img.ID)
	if err != nil {
		return err
	}
	s.cfg = dockerspec.DockerOCIImageConfig{ImageConfig: img.Config, DockerOCIImageConfigExt: ext}
	s.author = img.Author
	return nil
}

// env is the environment ${} expansion sees: the build arguments, then
// the image's ENV (which wins).
func (s *stageState) env() []string {
	return mergeEnv(s.args.env(nil), s.cfg.Env)
}

// shell is SHELL's value, /bin/sh -c by default.
func (s *stageState) shell() []string {
	if len(s.cfg.Shell) > 0 {
		return s.cfg.Shell
	}
	return []string{"/bin/sh", "-c"}
}

// dispatch executes one instruction.
func (b *builder) dispatch(ctx context.Context, s *stageState, cmd instructions.Command) error {
	if a, ok := cmd.(*instructions.ArgCommand); ok {
		return declareArgs(s.args, a, b.opts.Args, b.global, s.cfg.Env, b.lex, b.usedArgs)
	}
	if err := expandCommand(b.lex, s, cmd); err != nil {
		return err
	}
	switch c := cmd.(type) {
	case *instructions.RunCommand:
		return b.run(ctx, s, c)
	case *instructions.CopyCommand:
		return b.copy(ctx, s, copyRequest{kind: "COPY", SourcesAndDest: c.SourcesAndDest, from: c.From, chown: c.Chown, chmod: c.Chmod, link: c.Link, parents: c.Parents, exclude: c.ExcludePatterns})
	case *instructions.AddCommand:
		return b.copy(ctx, s, copyRequest{kind: "ADD", SourcesAndDest: c.SourcesAndDest, chown: c.Chown, chmod: c.Chmod, link: c.Link, exclude: c.ExcludePatterns, add: true, checksum: c.Checksum, keepGitDir: c.KeepGitDir != nil && *c.KeepGitDir})
	case *instructions.WorkdirCommand:
		return b.workdir(ctx, s, c)
	}
	createdBy, err := applyConfig(s, cmd)
	if err != nil {
		return err
	}
	return b.commitConfig(ctx, s, "/bin/sh -c #(nop) "+createdBy)
}

// expandCommand substitutes variables in the instruction's words (not
// RUN's command line, which its shell expands): the build arguments and
// the ENV so far. The heredocs of COPY and ADD whose delimiter is
// unquoted (<<EOF, not <<'EOF' or <<"EOF") are expanded too, quotes in
// them kept as written, as buildkit does.
func expandCommand(lex *shell.Lex, s *stageState, cmd instructions.Command) error {
	env := s.env()
	if ex, ok := cmd.(instructions.SupportsSingleWordExpansion); ok {
		if err := ex.Expand(func(w string) (string, error) { return expand(lex, w, env) }); err != nil {
			return err
		}
	}
	if ex, ok := cmd.(instructions.SupportsSingleWordExpansionRaw); ok {
		raw := shell.NewLex('\\')
		raw.SkipProcessQuotes = true
		return ex.ExpandRaw(func(w string) (string, error) { return expand(raw, w, env) })
	}
	return nil
}

// workdir sets the working directory and creates it in the image when it
// is missing (a layer, as docker and buildah do).
func (b *builder) workdir(ctx context.Context, s *stageState, c *instructions.WorkdirCommand) error {
	dir := c.Path
	if !strings.HasPrefix(dir, "/") {
		dir = joinPath(orRoot(s.cfg.WorkingDir), dir)
	}
	s.cfg.WorkingDir = dir
	createdBy := "/bin/sh -c #(nop) WORKDIR " + dir
	if b.useCache(ctx, s, createdBy) {
		return nil
	}
	return b.withWorking(ctx, s, createdBy, func(w *image.WorkingContainer) (bool, error) {
		return mkdirIn(w.Rootfs, dir)
	})
}

// commitConfig commits a config-only step, or reuses its cached image.
func (b *builder) commitConfig(ctx context.Context, s *stageState, createdBy string) error {
	if b.useCache(ctx, s, createdBy) {
		return nil
	}
	parent := ""
	if s.img != nil {
		parent = s.img.ID
	}
	img, err := b.images.CommitConfig(ctx, image.ConfigCommit{Parent: parent, Config: s.cfg, CreatedBy: createdBy, Author: s.author, Format: b.opts.Format})
	if err != nil {
		return err
	}
	b.committed(s, img)
	return nil
}

// withWorking runs write on a working container of the current image and
// commits its changes as a layer; when write reports no change, the step
// commits the config only. The container is removed in every case.
func (b *builder) withWorking(ctx context.Context, s *stageState, createdBy string, write func(*image.WorkingContainer) (bool, error)) (retErr error) {
	parent := ""
	if s.img != nil {
		parent = s.img.ID
	}
	w, err := b.images.NewWorkingContainer(parent)
	if err != nil {
		return err
	}
	defer func() {
		if err := b.images.RemoveWorkingContainer(w); err != nil && retErr == nil {
			retErr = err
		}
	}()
	changed, err := write(w)
	if err != nil {
		return err
	}
	if !changed {
		img, err := b.images.CommitConfig(ctx, image.ConfigCommit{Parent: parent, Config: s.cfg, CreatedBy: createdBy, Author: s.author, Format: b.opts.Format})
		if err != nil {
			return err
		}
		b.committed(s, img)
		return nil
	}
	img, err := b.images.Commit(ctx, w.ID, image.CommitOptions{Config: &s.cfg.ImageConfig, ConfigExt: &s.cfg.DockerOCIImageConfigExt, CreatedBy: createdBy, Author: s.author, Format: b.opts.Format})
	if err != nil {
		return err
	}
	b.committed(s, img)
	return nil
}

// committed makes img the stage's current image.
func (b *builder) committed(s *stageState, img *define.Image) {
	if b.stepKey != "" {
		b.toPush = append(b.toPush, cachePush{b.stepKey, img})
		b.stepKey = ""
	}
	s.img = img
	b.created = append(b.created, img.ID)
	if b.cache != nil {
		b.cache = append(b.cache, img)
	}
	if !b.lastStep {
		fmt.Fprintf(b.out, "--> %s\n", shortID(img.ID))
	}
}

// useCache looks the step up in the layer cache; on a hit the cached
// image becomes the stage's current one.
func (b *builder) useCache(ctx context.Context, s *stageState, createdBy string) bool {
	b.stepKey = ""
	if len(b.opts.CacheTo) > 0 {
		b.stepKey = b.cacheKey(s.img, createdBy)
	}
	if b.opts.NoCache || b.opts.NoLayers {
		return false
	}
	hit := b.lookupCache(s.img, createdBy)
	if hit == nil && len(b.opts.CacheImages) > 0 {
		hit = b.imageCache(ctx, s, createdBy)
	}
	if hit == nil && len(b.opts.CacheFrom) > 0 {
		hit = b.remoteCache(ctx, s.img, createdBy)
	}
	if hit == nil {
		return false
	}
	if b.stepKey != "" {
		b.toPush = append(b.toPush, cachePush{b.stepKey, hit})
		b.stepKey = ""
	}
	s.img = hit
	fmt.Fprintf(b.out, "--> Using cache %s\n", hit.ID)
	if !b.lastStep {
		fmt.Fprintf(b.out, "--> %s\n", shortID(hit.ID))
	}
	return true
}

// finish gives the target stage's image the --label values and the tags,
// removes the intermediate images without --layers, and reports.
func (b *builder) finish(ctx context.Context, last int) (*Result, error) {
	b.lastStep = true
	s := &stageState{args: newArgs()}
	if err := b.setBase(s, b.stageImages[last]); err != nil {
		return nil, err
	}
	if len(b.opts.Labels) > 0 {
		if s.cfg.Labels == nil {
			s.cfg.Labels = map[string]string{}
		}
		var kv []string
		for _, k := range sortedKeys(b.opts.Labels) {
			s.cfg.Labels[k] = b.opts.Labels[k]
			kv = append(kv, strconv.Quote(k)+"="+strconv.Quote(b.opts.Labels[k]))
		}
		if err := b.commitConfig(ctx, s, "/bin/sh -c #(nop) LABEL "+strings.Join(kv, " ")); err != nil {
			return nil, err
		}
	}
	if s.img == nil {
		// FROM scratch and nothing else: an image of no layers.
		if err := b.commitConfig(ctx, s, "/bin/sh -c #(nop) FROM scratch"); err != nil {
			return nil, err
		}
	}
	switch {
	case b.opts.SquashAll:
		if err := b.squashAll(ctx, s); err != nil {
			return nil, err
		}
	case b.opts.Squash:
		if err := b.squash(ctx, s, b.stageBases[last]); err != nil {
			return nil, err
		}
	}
	if want := image.ManifestMIMEType(b.opts.Format); s.img.ManifestType != want || len(b.opts.Annotations) > 0 {
		// The target stage is its base image alone, written in the
		// other format: write it again in this one, as podman commits
		// it again. Annotations go on the final manifest only.
		img, err := b.images.CommitConfig(ctx, image.ConfigCommit{Parent: s.img.ID, Config: s.cfg, Author: s.author,
			Format: b.opts.Format, NoHistory: true, Annotations: b.opts.Annotations})
		if err != nil {
			return nil, err
		}
		b.committed(s, img)
	}
	final := s.img
	for _, p := range b.toPush {
		if err := b.pushCache(ctx, p.key, p.img); err != nil {
			return nil, err
		}
	}
	if len(b.opts.Tags) > 0 {
		fmt.Fprintf(b.out, "COMMIT %s\n", b.opts.Tags[0])
	} else {
		fmt.Fprintln(b.out, "COMMIT")
	}
	res := &Result{Image: final}
	for _, t := range b.opts.Tags {
		n, err := image.NormalizeName(t)
		if err != nil {
			return nil, err
		}
		if err := b.images.Tag(final.ID, n); err != nil {
			return nil, err
		}
		res.Names = append(res.Names, n)
	}
	if b.opts.NoLayers {
		for _, id := range b.created {
			if id != final.ID {
				_, _ = b.rt.RemoveImage(ctx, id, false)
			}
		}
	}
	fmt.Fprintf(b.out, "--> %s\n", shortID(final.ID))
	for _, n := range res.Names {
		fmt.Fprintf(b.out, "Successfully tagged %s\n", n)
	}
	img, err := b.images.Lookup(final.ID)
	if err == nil {
		res.Image = img
	}
	return res, nil
}

// shortID is the image ID as podman's build log shows it.
func shortID(id string) string {
	if len(id) > 11 {
		return id[:11]
	}
	return id
}
