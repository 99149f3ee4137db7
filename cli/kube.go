package cli

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/berth-dev/berth/internal/specflag"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// The kube verbs link k8s.io/api, so only berth-full runs them: the lean
// binary hands them off (needsFull).

func newKubeCommand(d *Deps) *cobra.Command {
	cmd := &cobra.Command{Use: "kube", Short: "Play containers, pods or volumes from a structured file", RunE: subcommandRequired}
	cmd.AddCommand(newKubeGenerateCommand(d), newKubePlayCommand(d), newKubeDownCommand(d), newKubeApplyCommand())
	return needsFull(cmd)
}

// newGenerateKubeCommand is podman's older `generate kube`, in the
// generate group (generate.go).
func newGenerateKubeCommand(d *Deps) *cobra.Command {
	return needsFull(withUse(newKubeGenerateCommand(d), "kube"))
}

// newPlayCommand is podman's older `play kube`.
func newPlayCommand(d *Deps) *cobra.Command {
	cmd := &cobra.Command{Use: "play", Short: "Play containers, pods or volumes from a structured file", RunE: subcommandRequired}
	cmd.AddCommand(withUse(newKubePlayCommand(d), "kube"))
	return needsFull(cmd)
}

func newKubeGenerateCommand(d *Deps) *cobra.Command {
	var opts service.KubeGenerateOptions
	var file string
	cmd := &cobra.Command{
		Use:   "generate [options] {CONTAINER...|POD...|VOLUME...}",
		Short: "Generate Kubernetes YAML based on containers, pods or volumes",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("replicas") && opts.Type != "deployment" {
				return usageError("--replicas can only be set when --type is deployment")
			}
			if opts.Type != "deployment" {
				opts.Replicas = 0
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			opts.Version = Version
			out, err := service.KubeGenerate(cmd.Context(), rt, args, opts)
			if err != nil {
				return err
			}
			if file == "" {
				_, err = cmd.OutOrStdout().Write(out)
				return err
			}
			f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
			if err != nil {
				if os.IsExist(err) {
					return fmt.Errorf("cannot write to %q: file exists", file)
				}
				return err
			}
			if _, err := f.Write(out); err != nil {
				f.Close()
				return err
			}
			return f.Close()
		},
	}
	f := cmd.Flags()
	f.StringVarP(&file, "filename", "f", "", "Write output to the specified path")
	f.BoolVarP(&opts.Service, "service", "s", false, "Generate YAML for a Kubernetes service object")
	f.StringVarP(&opts.Type, "type", "t", "pod", "Generate YAML for the given Kubernetes kind: pod, deployment, daemonset or job")
	f.Int32Var(&opts.Replicas, "replicas", 1, "Set the replica number for Deployment kind")
	return cmd
}

// readKubeFiles reads each FILE, - (stdin) or http(s) URL.
func readKubeFiles(cmd *cobra.Command, args []string) ([][]byte, error) {
	var out [][]byte
	for _, a := range args {
		var data []byte
		var err error
		switch {
		case a == "-":
			data, err = io.ReadAll(cmd.InOrStdin())
		case strings.HasPrefix(a, "http://") || strings.HasPrefix(a, "https://"):
			data, err = fetchURL(a)
		default:
			data, err = os.ReadFile(a)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, data)
	}
	return out, nil
}

func newKubePlayCommand(d *Deps) *cobra.Command {
	var opts service.KubePlayOptions
	var start, quiet, down, force, wait, build bool
	var publish, configmaps, annotations []string
	cmd := &cobra.Command{
		Use:   "play [options] KUBEFILE|-...",
		Short: "Play a pod or volume based on Kubernetes YAML",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			files, err := readKubeFiles(cmd, args)
			if err != nil {
				return err
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if down {
				return kubeDown(cmd, rt, files, force)
			}
			opts.NoStart = !start
			if cmd.Flags().Changed("build") {
				opts.Build = &build
			}
			if opts.ContextDir != "" && (opts.Build == nil || !*opts.Build) {
				return usageError("--build must be set when --context-dir is")
			}
			for _, p := range publish {
				pm, err := specflag.Publish(p)
				if err != nil {
					return err
				}
				opts.Publish = append(opts.Publish, pm...)
			}
			for _, c := range configmaps {
				for _, path := range strings.Split(c, ",") {
					data, err := os.ReadFile(path)
					if err != nil {
						return fmt.Errorf("--configmap: %w", err)
					}
					opts.ConfigMaps = append(opts.ConfigMaps, data)
				}
			}
			for _, a := range annotations {
				k, v, ok := strings.Cut(a, "=")
				if !ok || k == "" {
					return usageError("invalid --annotation %q: must be KEY=VALUE", a)
				}
				if opts.Annotations == nil {
					opts.Annotations = map[string]string{}
				}
				opts.Annotations[k] = v
			}
			if !quiet {
				opts.Create.PullWriter = cmd.ErrOrStderr()
			}
			opts.Create.Warnings = cmd.ErrOrStderr()
			var interrupted <-chan struct{}
			if wait {
				// Caught before play starts anything, so that ^C during
				// the wait still removes what play made.
				ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
				defer stop()
				interrupted = ctx.Done()
			}
			report, err := service.KubePlay(cmd.Context(), rt, files, opts)
			if err != nil {
				return err
			}
			if !quiet {
				printPlayReport(w, report)
			}
			if wait {
				return service.KubeWait(cmd.Context(), rt, report, interrupted)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.Replace, "replace", false, "Delete and recreate pods defined in the YAML file")
	f.BoolVar(&start, "start", true, "Start the pod after creating it")
	f.StringSliceVar(&opts.Network, "network", nil, "Connect pod to network(s) or network mode")
	f.StringSliceVar(&publish, "publish", nil, "Publish a container's port, or a range of ports, to the host")
	f.StringSliceVar(&configmaps, "configmap", nil, "Pathname of a YAML file containing a kubernetes configmap")
	f.StringArrayVar(&annotations, "annotation", nil, "Add annotations to pods (key=value)")
	f.BoolVarP(&wait, "wait", "w", false, "Clean up all objects created when a SIGTERM is received or pods exit")
	f.BoolVarP(&quiet, "quiet", "q", false, "Suppress output information when pulling images")
	f.BoolVar(&down, "down", false, "Stop pods defined in the YAML file")
	f.BoolVar(&force, "force", false, "With --down, remove volumes too")
	f.BoolVar(&build, "build", false, "Build all images in a YAML (given Containerfiles)")
	f.StringVar(&opts.ContextDir, "context-dir", "", "Path to top level of context directory")
	return cmd
}

// printPlayReport prints podman's play output: volumes, then each pod's
// ID and its containers.
func printPlayReport(w io.Writer, r *service.KubePlayReport) {
	for _, v := range r.Volumes {
		fmt.Fprintf(w, "Volume:\n%s\n", v)
	}
	for _, p := range r.Pods {
		fmt.Fprintf(w, "Pod:\n%s\n", p.ID)
		printIDs(w, "Container", p.Containers)
		printIDs(w, "Init container", p.InitContainers)
		fmt.Fprintln(w)
	}
}

func printIDs(w io.Writer, what string, ids []string) {
	switch len(ids) {
	case 0:
		return
	case 1:
		fmt.Fprintf(w, "%s:\n", what)
	default:
		fmt.Fprintf(w, "%ss:\n", what)
	}
	for _, id := range ids {
		fmt.Fprintln(w, id)
	}
}

func newKubeDownCommand(d *Deps) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "down [options] KUBEFILE|-...",
		Short: "Remove pods based on Kubernetes YAML",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			files, err := readKubeFiles(cmd, args)
			if err != nil {
				return err
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			return kubeDown(cmd, rt, files, force)
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "Remove volumes the YAML declares or claims too")
	return cmd
}

// kubeDown removes what the files made and prints podman's report.
func kubeDown(cmd *cobra.Command, rt *service.Runtime, files [][]byte, force bool) error {
	report, err := service.KubeDown(cmd.Context(), rt, files, force)
	if report != nil {
		w := cmd.OutOrStdout()
		if len(report.Pods) > 0 {
			fmt.Fprintln(w, "Pods stopped:")
			for _, p := range report.Pods {
				fmt.Fprintln(w, p.ID)
			}
			fmt.Fprintln(w, "Pods removed:")
			for _, p := range report.Pods {
				fmt.Fprintln(w, p.ID)
			}
		}
		if len(report.Secrets) > 0 {
			fmt.Fprintln(w, "Secrets removed:")
			for _, id := range report.Secrets {
				fmt.Fprintln(w, id)
			}
		}
		if len(report.Volumes) > 0 {
			fmt.Fprintln(w, "Volumes removed:")
			for _, v := range report.Volumes {
				fmt.Fprintln(w, v)
			}
		}
	}
	return err
}

// newKubeApplyCommand is podman's `kube apply`, which deploys to a
// cluster's API server: berth talks to none, so it says so and points at
// kubectl, taking podman's flags so that the refusal is the one error.
func newKubeApplyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "apply [options] [CONTAINER...|POD...|VOLUME...]",
		Short: "Deploy a podman container, pod, volume, or Kubernetes yaml to a Kubernetes cluster",
		RunE: func(*cobra.Command, []string) error {
			return fmt.Errorf("kube apply is not supported: berth does not deploy to a cluster; write the YAML with `berth kube generate` and use `kubectl apply -f`")
		},
	}
	f := cmd.Flags()
	f.String("kubeconfig", "", "Path to the kubeconfig file for the Kubernetes cluster")
	f.String("ca-cert-file", "", "Path to the CA cert file for the Kubernetes cluster")
	f.StringP("file", "f", "", "Path to the Kubernetes yaml file to deploy")
	f.String("ns", "", "The namespace to deploy the workload to on the Kubernetes cluster")
	f.BoolP("service", "s", false, "Create a service object for the container being deployed")
	return cmd
}
