package cli

import (
	"bufio"
	"fmt"
	"path/filepath"

	"github.com/berth-dev/berth/cli/format"
	"github.com/berth-dev/berth/internal/connection"
	"github.com/spf13/cobra"
)

// newSystemConnectionCommand is podman's `system connection` group: the
// named berth services that --connection and --remote reach. It edits a
// local file only, so it works in remote mode too.
func newSystemConnectionCommand() *cobra.Command {
	c := &cobra.Command{Use: "connection", Short: "Manage remote berth service destinations", RunE: subcommandRequired}
	c.AddCommand(newConnectionAddCommand(), newConnectionListCommand(), newConnectionRemoveCommand(),
		newConnectionDefaultCommand(), newConnectionRenameCommand())
	return c
}

// editConnections applies fn to the connections file.
func editConnections(fn func(*connection.File) error) error {
	path, err := connection.Path()
	if err != nil {
		return err
	}
	return connection.Edit(path, fn)
}

func newConnectionAddCommand() *cobra.Command {
	var makeDefault bool
	var identity, socketPath string
	var port int
	cmd := &cobra.Command{
		Use:   "add [options] NAME DESTINATION",
		Short: "Record destination for the berth service",
		Long: "Record a berth service under NAME. DESTINATION is unix:///PATH, tcp://HOST:PORT,\n" +
			"ssh://[USER@]HOST[:PORT][/SOCKET] or [USER@]HOST[:PORT] (ssh; the socket defaults to " + connection.DefaultSocket + ").",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("port") {
				port = 0
			} else if port < 1 || port > 65535 {
				return usageError("invalid --port %d: must be 1-65535", port)
			}
			uri, err := connection.Destination(args[1], port, socketPath)
			if err != nil {
				return usageError("%v", err)
			}
			if identity != "" {
				if identity, err = filepath.Abs(identity); err != nil {
					return err
				}
			}
			return editConnections(func(f *connection.File) error {
				return f.Add(args[0], connection.Connection{URI: uri, Identity: identity}, makeDefault)
			})
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&makeDefault, "default", "d", false, "set connection to be default")
	f.StringVar(&identity, "identity", "", "path to SSH identity file")
	f.IntVarP(&port, "port", "p", 22, "SSH port number for destination")
	f.StringVar(&socketPath, "socket-path", "", "path to the berth service unix domain socket on the ssh destination")
	return cmd
}

// connectionRow is one line of `system connection ls`, with podman 5's
// fields.
type connectionRow struct {
	Name      string
	URI       string
	Identity  string
	IsMachine bool
	Default   bool
	ReadWrite bool
}

// connectionHeaders keeps podman 5's mixed-case column names.
var connectionHeaders = map[string]string{"Name": "Name", "URI": "URI", "Identity": "Identity", "Default": "Default", "ReadWrite": "ReadWrite"}

func newConnectionListCommand() *cobra.Command {
	var fmtStr string
	var quiet bool
	cmd := &cobra.Command{
		Use:     "list [options]",
		Aliases: []string{"ls"},
		Short:   "List destination for the berth service(s)",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			path, err := connection.Path()
			if err != nil {
				return err
			}
			f, err := connection.Load(path)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			rows := make([]connectionRow, 0)
			for _, e := range f.List() {
				rows = append(rows, connectionRow(e))
			}
			if quiet {
				bw := bufio.NewWriter(out)
				for _, r := range rows {
					fmt.Fprintln(bw, r.Name)
				}
				return bw.Flush()
			}
			if format.IsJSON(fmtStr) {
				return format.JSON(out, rows)
			}
			items := make([]any, len(rows))
			for i, r := range rows {
				items[i] = r
			}
			return format.Execute(out, fmtStr, items,
				format.WithDefaultTable("table {{.Name}}\t{{.URI}}\t{{.Identity}}\t{{.Default}}\t{{.ReadWrite}}"),
				format.WithHeaders(connectionHeaders))
		},
	}
	cmd.Flags().StringVarP(&fmtStr, "format", "f", "", "custom Go template for printing connections, or json")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "only show connection names")
	return cmd
}

func newConnectionRemoveCommand() *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:     "remove [options] NAME",
		Aliases: []string{"rm"},
		Short:   "Delete named destination",
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case all && len(args) > 0:
				return usageError("--all and a connection name cannot be used together")
			case !all && len(args) != 1:
				return usageError("accepts 1 arg(s), received %d", len(args))
			}
			return editConnections(func(f *connection.File) error {
				if all {
					f.RemoveAll()
				} else {
					f.Remove(args[0])
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "remove all connections")
	return cmd
}

func newConnectionDefaultCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "default NAME",
		Short: "Set named destination as default",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return editConnections(func(f *connection.File) error { return f.SetDefault(args[0]) })
		},
	}
}

func newConnectionRenameCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "rename OLD NEW",
		Short: "Rename the destination for the berth service",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return editConnections(func(f *connection.File) error { return f.Rename(args[0], args[1]) })
		},
	}
}
