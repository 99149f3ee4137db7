//go:build !berth_lean

package service

import (
	"context"
	"io"

	"github.com/berth-dev/berth/build"
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/image"
	"github.com/berth-dev/berth/internal/specflag"
	"github.com/berth-dev/berth/spec"
)

// The build package's types, for the skins (which reach it through
// service only).
type (
	BuildOptions   = build.Options
	BuildResult    = build.Result
	BuildSource    = build.Source
	BuildStepError = build.StepError
	BuildExitError = build.ExitError
	BuildSSHSource = build.SSHSource
)

// ParseBuildSSH reads --ssh values (default|ID[=SOCKET|KEYFILE[,...]]).
func ParseBuildSSH(values []string, getenv func(string) string) (map[string]*BuildSSHSource, error) {
	return build.ParseSSH(values, getenv)
}

// PullMissing is build's default pull policy for base images.
const PullMissing = image.PullMissing

// OpenBuildSource prepares a build context named on the command line (a
// directory, a tarball, or - for stdin).
func OpenBuildSource(arg string, stdin io.Reader) (*BuildSource, error) {
	return build.OpenSource(arg, stdin, "")
}

// Build builds an image from a Containerfile (`build`); RUN steps run in
// containers created the way `run` creates them.
func Build(ctx context.Context, rt *engine.Runtime, opts build.Options) (*build.Result, error) {
	return build.Build(ctx, rt, buildRunner{rt: rt}, opts)
}

// buildRunner runs a build's RUN steps as berth containers (conmon and
// the OCI runtime), commits them and removes them.
type buildRunner struct{ rt *engine.Runtime }

func (b buildRunner) Run(ctx context.Context, step build.RunStep) (_ *define.Image, retErr error) {
	// The step's mounts are written as -v and --tmpfs values.
	var mounts []spec.Mount
	for _, v := range step.Volumes {
		m, err := specflag.Volume(v)
		if err != nil {
			return nil, err
		}
		mounts = append(mounts, m)
	}
	for _, v := range step.Tmpfs {
		m, err := specflag.Tmpfs(v)
		if err != nil {
			return nil, err
		}
		mounts = append(mounts, m)
	}
	s := &spec.ContainerSpec{
		Image:         step.Image,
		EntrypointSet: true,
		Command:       step.Argv,
		Env:           step.Env,
		WorkDir:       step.WorkDir,
		User:          step.User,
		Mounts:        mounts,
		// A RUN's writes to a VOLUME are not part of the image (docker).
		ImageVolume:   "tmpfs",
		CreateCommand: []string{"berth", "build"},
	}
	if step.Network != "" {
		s.Network = []string{step.Network}
	}
	res, err := Run(ctx, b.rt, s, RunOptions{CreateOptions: CreateOptions{Pull: image.PullNever}, Stdout: step.Stdout, Stderr: step.Stderr})
	if res != nil && res.Container != nil {
		c := res.Container
		defer func() {
			// The container goes whatever happened (a failed build
			// leaves no container behind), unless asked to stay.
			if (retErr == nil && step.Keep) || (retErr != nil && step.KeepFailed) {
				return
			}
			err := b.rt.RemoveContainer(context.WithoutCancel(ctx), c, engine.RemoveOptions{Force: true, Volumes: true})
			if err != nil && !isGone(err) && retErr == nil {
				retErr = err
			}
		}()
	}
	if err != nil {
		return nil, err
	}
	if res.ExitCode != 0 {
		return nil, &build.ExitError{Code: int(res.ExitCode)}
	}
	return res.Container.Commit(ctx, step.Commit, false)
}

// PruneBuildCache removes what builds keep besides images: the
// directories of RUN --mount=type=cache.
func PruneBuildCache(rt *engine.Runtime) error { return build.PruneCache(rt) }
