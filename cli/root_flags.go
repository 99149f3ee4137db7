package cli

import (
	"fmt"
	"io"
	"log/syslog"
	"os"
	"strings"

	"github.com/sirupsen/logrus"
	lsyslog "github.com/sirupsen/logrus/hooks/syslog"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// logLevels are the --log-level values podman accepts, in its order.
var logLevels = []string{"trace", "debug", "info", "warn", "warning", "error", "fatal", "panic"}

const defaultLogLevel = "warn"

// outputOptions are the root-only flags that change where output goes
// and what the process logs (podman's and docker's).
type outputOptions struct {
	out          string // --out FILE: stdout goes to FILE
	noOut        bool   // --noout: stdout is discarded
	debug        bool   // -D: docker's --debug, log level debug
	dockerConfig string // --config DIR: docker's client config directory
	context      string // --context NAME: docker's; "default" is the local engine
	syslog       bool
}

// addEngineFlags defines the persistent engine flags, accepted before or
// after the verb (podman's persistent flags).
func addEngineFlags(f *pflag.FlagSet, g *globalOptions) {
	f.StringVar(&g.root, "root", "", "path to the graph root directory where images and containers are stored")
	f.StringVar(&g.runRoot, "runroot", "", "path to the 'run directory' where all state information is stored")
	f.StringVar(&g.runtime, "runtime", "", "path or name of the OCI runtime (runc, crun)")
	f.StringVar(&g.storageDriver, "storage-driver", "", "select which storage driver is used to manage storage of images and containers")
	f.StringArrayVar(&g.storageOpts, "storage-opt", nil, "storage driver option")
	f.StringVar(&g.logLevel, "log-level", defaultLogLevel, "log messages above specified level ("+strings.Join(logLevels, ", ")+")")
	f.StringVar(&g.cgroupManager, "cgroup-manager", "", "cgroup manager to use (cgroupfs or systemd)")
	f.StringVar(&g.conmon, "conmon", "", "path of the conmon binary")
	f.StringVar(&g.eventsLogPath, "events-logfile-path", "", "path of the events log file")
	f.StringVar(&g.eventsBackend, "events-backend", "", "events backend to use (file, journald, none)")
	f.StringVar(&g.tmpDir, "tmpdir", "", "path to the tmp directory for berth's state content (exit files, sockets, locks)")
	f.StringVar(&g.volumePath, "volumepath", "", "path to the volume directory in which volume data is stored")
	f.StringVar(&g.networkConfigDir, "network-config-dir", "", "path of the configuration directory for networks")
	f.BoolVar(&g.transientStore, "transient-store", false, "enable transient container storage (state on the run root, lost at reboot)")
	f.StringArrayVar(&g.runtimeFlags, "runtime-flag", nil, "add global flags for the container runtime")
	f.StringArrayVar(&g.hooksDirs, "hooks-dir", nil, "set the OCI hooks directory path (may be set multiple times)")
	f.BoolVar(&g.output.syslog, "syslog", false, "output logging information to syslog as well as the console (default false)")
}

// addRootOnlyFlags defines the flags only the root accepts, before the
// verb: their short names (-c, -H, -l, -D, -v) mean something else to
// run and the other verbs, as in podman (the root traverses children).
func addRootOnlyFlags(root *cobra.Command, g *globalOptions) {
	f := root.Flags()
	addRemoteFlags(f, &g.remoteOpts)
	f.StringVarP(&g.remoteOpts.url, "host", "H", "", "daemon socket to connect to (docker's name for --url)")
	_ = f.MarkHidden("host")
	f.StringVar(&g.output.context, "context", "default", "name of the connection to use (docker's name for --connection; \"default\" is the local engine)")
	_ = f.MarkHidden("context")
	f.StringVar(&g.output.dockerConfig, "config", "", "location of the client config files (sets DOCKER_CONFIG)")
	f.StringVar(&g.output.out, "out", "", "send output (stdout) from berth to a file")
	f.BoolVar(&g.output.noOut, "noout", false, "do not output to stdout")
	_ = f.MarkHidden("noout")
	f.BoolVarP(&g.output.debug, "debug", "D", false, "enable debug mode (docker's; --log-level debug)")
	_ = f.MarkHidden("debug")
	// Docker's -l is the root's --log-level; the persistent flag of the
	// same name has no short form because -l is --latest or --label below.
	f.StringVarP(&g.logLevel, "log-level", "l", defaultLogLevel, "log messages above specified level ("+strings.Join(logLevels, ", ")+")")
}

// exitMessage is a global mistake podman reports with its own text (no
// "Error: " prefix) and exit code.
type exitMessage struct {
	msg  string
	code int
}

func (e *exitMessage) Error() string { return e.msg }

// setupLogging checks --log-level and -D as podman does and sets logrus.
func (d *Deps) setupLogging(stderr io.Writer) error {
	o := &d.global.output
	if o.debug {
		if d.global.logLevel != defaultLogLevel {
			return &exitMessage{"Setting --log-level and --debug is not allowed", 1}
		}
		d.global.logLevel = "debug"
	}
	lvl := strings.ToLower(d.global.logLevel)
	found := false
	for _, l := range logLevels {
		found = found || l == lvl
	}
	if !found {
		return &exitMessage{fmt.Sprintf("Log Level %q is not supported, choose from: %s", d.global.logLevel, strings.Join(logLevels, ", ")), 1}
	}
	level, err := logrus.ParseLevel(lvl)
	if err != nil {
		return &exitMessage{err.Error(), 1}
	}
	d.global.logLevel = lvl
	logrus.SetLevel(level)
	logrus.SetOutput(stderr)
	if o.syslog {
		hook, err := lsyslog.NewSyslogHook("", "", syslog.LOG_INFO, "")
		if err != nil {
			return &exitMessage{"Failed to initialize syslog hook: " + err.Error(), 1}
		}
		logrus.AddHook(hook)
	}
	return nil
}

// setupOutput applies --out/--noout and --config before the verb runs.
func (d *Deps) setupOutput(cmd *cobra.Command) error {
	o := &d.global.output
	if o.dockerConfig != "" {
		if err := os.Setenv("DOCKER_CONFIG", o.dockerConfig); err != nil {
			return &exitMessage{fmt.Sprintf("cannot set DOCKER_CONFIG=%s: %v", o.dockerConfig, err), 1}
		}
	}
	switch {
	case o.noOut:
		cmd.Root().SetOut(io.Discard)
	case o.out != "":
		f, err := os.OpenFile(o.out, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o666)
		if err != nil {
			return &exitMessage{"unable to open file for standard output: " + err.Error(), 1}
		}
		d.outFile = f
		cmd.Root().SetOut(f)
	}
	return nil
}

// checkContext resolves docker's --context: "default" is whatever the
// other flags say, any other name is a connection, and naming both
// --context and --connection is an error (podman's rules).
func (d *Deps) checkContext(cmd *cobra.Command) error {
	ctxFlag := cmd.Root().Flags().Lookup("context")
	if ctxFlag == nil || !ctxFlag.Changed {
		return nil
	}
	if d.global.remoteOpts.conn != "" {
		return fmt.Errorf("read cli flags: use of --connection and --context at the same time is not allowed")
	}
	if c := d.global.output.context; c != "default" {
		d.global.remoteOpts.conn = c
	}
	return nil
}
