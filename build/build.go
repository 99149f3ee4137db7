// Package build builds images from a Containerfile or Dockerfile, the way
// `podman build` (buildah) and docker's classic builder do: every
// instruction of a stage starts from the image the previous one committed,
// RUN runs in a real container (conmon and the OCI runtime) whose changes
// become a layer, COPY and ADD write into a storage-only working container
// through internal/rootcopy, and config instructions (ENV, LABEL, CMD...)
// commit an image without a layer. Each step's image is the layer cache:
// it is found again by its parent and its history entry (created_by holds
// the instruction, its build arguments and the digest of what it copies).
//
// Parsing uses moby/buildkit's Dockerfile frontend packages (parser,
// instructions, shell): they are the reference grammar (heredocs, escape
// and syntax directives, flags of every instruction, variable expansion),
// well kept, and light: v0.33.1 adds six small modules besides itself to
// go.mod and builds with this tree's Go and dependencies unchanged.
// github.com/openshift/imagebuilder, buildah's choice, is itself a layer
// over this same parser plus an executor of its own around a Docker API
// client (fsouza/go-dockerclient) and klog; berth has its own executor
// (its containers, its store), so it takes the parser directly.
//
// The package sits between service and engine: service calls Build and
// supplies the Runner that runs RUN steps (it knows how to create a
// container from a spec); the package itself uses the engine's image
// store.
package build

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/image"
)

// Options configure one build.
type Options struct {
	// ContextDir is the build context, a directory (the CLI unpacks a
	// tarball or stdin into a temporary one first).
	ContextDir string
	// Containerfile is the path of the Containerfile; "" looks for
	// Containerfile, then Dockerfile, in ContextDir. Ignored when
	// ContainerfileData is set.
	Containerfile string
	// ContainerfileData is the Containerfile itself (-f -, or a
	// Containerfile given on stdin); ContainerfileName names it in errors.
	ContainerfileData []byte
	ContainerfileName string
	// Tags name the final image.
	Tags []string
	// Args are --build-arg values.
	Args map[string]string
	// Target is the stage to stop at; "" builds the last stage.
	Target string
	// NoCache never reuses a cached step.
	NoCache bool
	// NoLayers keeps only the final image: no step is looked up in the
	// cache, and the intermediate images are removed at the end.
	NoLayers bool
	// Pull is the pull policy of FROM images (default missing).
	Pull     string
	Registry image.RegistryOptions
	// LoopbackInsecure reaches registries on loopback over plain HTTP, as
	// dockerd does for the docker API's builds.
	LoopbackInsecure bool
	// BuildContexts are --build-context NAME=DIR or
	// NAME=docker-image://REF: what COPY --from=NAME, RUN --mount from=NAME
	// and FROM NAME mean.
	BuildContexts map[string]string
	// Secrets are --secret files by ID, for RUN --mount=type=secret.
	Secrets map[string]string
	// SSH are the --ssh IDs (ParseSSH), for RUN --mount=type=ssh.
	SSH map[string]*SSHSource
	// SquashAll makes the final image one layer with the whole root and
	// one history entry (--squash-all).
	SquashAll bool
	// Squash makes the layers the target stage added to its base one
	// (--squash); the base's layers stay.
	Squash bool
	// CacheFrom are repositories whose images, tagged with a step's cache
	// key, are pulled for a step missing from the local cache; CacheTo
	// are repositories the steps' images are pushed to (--cache-from,
	// --cache-to).
	CacheFrom, CacheTo []string
	// CacheImages are local images whose build history serves as cache
	// (the docker API's cachefrom): a step that matches one of their
	// history entries, on the same earlier steps, restores that step's
	// image from their layers instead of running.
	CacheImages []string
	// Annotations are set on the final image's manifest (--annotation).
	Annotations map[string]string
	// Format is the manifest format of every image the build commits:
	// "" or "oci", or "docker" (schema2).
	Format string
	// Labels are added to the final image (--label).
	Labels map[string]string
	// Network is the network mode of RUN containers ("" the default).
	Network string
	// Volumes are -v mounts given to every RUN container (their
	// contents are not committed).
	Volumes []string
	// KeepContainers keeps the RUN containers of successful steps
	// (--rm=false), KeepFailed the one of a failed step (--force-rm=false);
	// by default every container goes.
	KeepContainers, KeepFailed bool
	// Out receives the build log (STEP lines and the output of RUN);
	// nil is quiet.
	Out io.Writer
	// PullWriter receives pull progress; nil is quiet.
	PullWriter io.Writer
}

// RunStep is one RUN instruction for a Runner.
type RunStep struct {
	// Image is the ID of the image to run on.
	Image string
	// Argv is the command (the shell already prepended for the shell
	// form); it replaces the image's entrypoint and cmd.
	Argv []string
	// Env is added to the image's environment (the build arguments in
	// scope); WorkDir and User come from the step's config.
	Env     []string
	WorkDir string
	User    string
	Network string
	// Volumes are -v values (RUN --mount of type cache and bind); Tmpfs
	// are tmpfs mount points.
	Volumes []string
	Tmpfs   []string
	Stdout  io.Writer
	Stderr  io.Writer
	// Commit configures the commit of the container's changes.
	Commit image.CommitOptions
	// dropFiles are mount points of secrets and ssh agents, left out of
	// the layer.
	dropFiles []string
	// Keep and KeepFailed leave the container in place after a success
	// or a failure.
	Keep, KeepFailed bool
}

// Runner runs RUN steps. Run runs step in a new container, commits its
// changes as a new image and removes the container, whatever happens
// (unless step.Keep or step.KeepFailed says otherwise). A command that
// exits non-zero is an *ExitError and commits nothing.
type Runner interface {
	Run(ctx context.Context, step RunStep) (*define.Image, error)
}

// ExitError is a RUN command's non-zero exit.
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// StepError is a failed step: where it is (file and line) and what it
// was, in the words podman uses ("building at STEP ...").
type StepError struct {
	File string
	Line int
	Step string
	Err  error
}

func (e *StepError) Error() string {
	where := ""
	if e.File != "" {
		where = fmt.Sprintf(" (%s:%d)", e.File, e.Line)
	}
	var ee *ExitError
	if errors.As(e.Err, &ee) {
		return fmt.Sprintf("building at STEP %q%s: while running runtime: %v", e.Step, where, e.Err)
	}
	return fmt.Sprintf("building at STEP %q%s: %v", e.Step, where, e.Err)
}

func (e *StepError) Unwrap() error { return e.Err }

// ExitCode is the failed RUN command's exit code, or 0 when the step
// failed otherwise: `build` exits with it, as podman does.
func (e *StepError) ExitCode() int {
	var ee *ExitError
	if errors.As(e.Err, &ee) {
		return ee.Code
	}
	return 0
}

// Result is what a build made.
type Result struct {
	// Image is the final image.
	Image *define.Image
	// Names are the names it was tagged with, fully qualified.
	Names []string
}
