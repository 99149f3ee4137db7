package cli

import (
	"fmt"
	"io"
	"runtime"

	"github.com/berth-dev/berth/cli/format"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// Version is berth's version, set at build time with -ldflags.
var Version = "0.1.0-dev"

// versionInfo is what `version` prints (podman's Client fields).
type versionInfo struct {
	APIVersion string
	Version    string
	GoVersion  string
	GitCommit  string
	BuiltTime  string
	Built      int64
	OsArch     string
	Os         string
}

func currentVersion() versionInfo {
	v := versionInfo{APIVersion: "1.41", Version: Version, GoVersion: runtime.Version(),
		OsArch: runtime.GOOS + "/" + runtime.GOARCH, Os: runtime.GOOS}
	v.GitCommit, v.BuiltTime, v.Built = service.BuildInfo()
	return v
}

func newVersionCommand(d *Deps) *cobra.Command {
	var fmtStr string
	cmd := &cobra.Command{
		Use:   "version [options]",
		Short: "Display the berth version information",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			v := currentVersion()
			out := cmd.OutOrStdout()
			if d.isRemote() {
				return printRemoteVersion(cmd, d, v, fmtStr)
			}
			if fmtStr != "" {
				if format.IsJSON(fmtStr) {
					return format.JSON(out, map[string]any{"Client": v})
				}
				return format.Execute(out, fmtStr, []any{map[string]any{"Client": v, "Version": v.Version}})
			}
			writeVersion(out, v)
			return nil
		},
	}
	cmd.Flags().StringVarP(&fmtStr, "format", "f", "", "change the output format to JSON or a Go template")
	return cmd
}

// writeVersion prints one version section.
func writeVersion(out io.Writer, v versionInfo) {
	fmt.Fprintf(out, "Version:      %s\nAPI Version:  %s\nGo Version:   %s\n", v.Version, v.APIVersion, v.GoVersion)
	if v.GitCommit != "" {
		fmt.Fprintf(out, "Git Commit:   %s\n", v.GitCommit)
	}
	if v.BuiltTime != "" {
		fmt.Fprintf(out, "Built:        %s\n", v.BuiltTime)
	}
	fmt.Fprintf(out, "OS/Arch:      %s\n", v.OsArch)
}

// printRemoteVersion prints the client's and the service's versions, as
// podman-remote does.
func printRemoteVersion(cmd *cobra.Command, d *Deps, client versionInfo, fmtStr string) error {
	e, err := d.Engine(cmd.Context())
	if err != nil {
		return err
	}
	sv, err := e.ServerVersion(cmd.Context())
	if err != nil {
		return err
	}
	server := versionInfo(*sv)
	out := cmd.OutOrStdout()
	both := map[string]any{"Client": client, "Server": server}
	switch {
	case format.IsJSON(fmtStr):
		return format.JSON(out, both)
	case fmtStr != "":
		both["Version"] = client.Version
		return format.Execute(out, fmtStr, []any{both})
	}
	fmt.Fprintln(out, "Client:       berth")
	writeVersion(out, client)
	fmt.Fprintln(out, "\nServer:       berth")
	writeVersion(out, server)
	return nil
}
