package cli

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/berth-dev/berth/service"
	"github.com/opencontainers/go-digest"
	"github.com/spf13/cobra"
)

// newManifestCommand is the `manifest` group: multi-architecture manifest
// lists kept in local storage and pushed with their images.
func newManifestCommand(d *Deps) *cobra.Command {
	cmd := &cobra.Command{Use: "manifest", Short: "Manipulate manifest lists and image indexes", GroupID: "manage", RunE: subcommandRequired}
	cmd.AddCommand(newManifestCreateCommand(d), newManifestAddCommand(d), newManifestInspectCommand(d),
		newManifestPushCommand(d), newManifestRmCommand(d), newManifestRemoveCommand(d),
		newManifestAnnotateCommand(d), newManifestExistsCommand(d))
	return needsFull(cmd)
}

func newManifestCreateCommand(d *Deps) *cobra.Command {
	var all, amend bool
	var reg registryFlags
	cmd := &cobra.Command{
		Use:   "create [options] LIST [IMAGE...]",
		Short: "Create a manifest list or image index",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ro, err := reg.options(cmd)
			if err != nil {
				return err
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			id, err := service.ManifestCreate(cmd.Context(), rt, args[0], args[1:], service.ManifestCreateOptions{RegistryOptions: ro, Amend: amend, All: all})
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), id)
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&all, "all", false, "add all of the lists' images if the images to add are lists")
	f.BoolVarP(&amend, "amend", "a", false, "modify an existing list if one with the desired name already exists")
	bindRegistryFlags(f, &reg, true)
	return cmd
}

func newManifestInspectCommand(d *Deps) *cobra.Command {
	var reg registryFlags
	cmd := &cobra.Command{
		Use:   "inspect [options] LIST|IMAGE",
		Short: "Display the contents of a manifest list or image index",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ro, err := reg.options(cmd)
			if err != nil {
				return err
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			raw, err := service.ManifestInspect(cmd.Context(), rt, args[0], ro)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			if err := json.Indent(&buf, raw, "", "    "); err != nil {
				return fmt.Errorf("manifest of %s is not JSON: %w", args[0], err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), buf.String())
			return nil
		},
	}
	bindRegistryFlags(cmd.Flags(), &reg, true)
	return cmd
}

func newManifestRmCommand(d *Deps) *cobra.Command {
	return &cobra.Command{
		Use:   "rm LIST [LIST...]",
		Short: "Remove manifest lists or image indexes from local storage",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			var errs []error
			var last error
			for _, name := range args {
				img, err := service.ManifestDelete(rt, name)
				if err != nil {
					if last != nil {
						fmt.Fprintf(cmd.ErrOrStderr(), "Error: %v\n", last)
					}
					last = err
					errs = append(errs, err)
					continue
				}
				for _, n := range img.Names {
					fmt.Fprintf(cmd.OutOrStdout(), "Untagged: %s\n", n)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "Deleted: %s\n", img.ID)
			}
			return removalExitCode(last, errs)
		},
	}
}

func newManifestRemoveCommand(d *Deps) *cobra.Command {
	return &cobra.Command{
		Use:   "remove LIST DIGEST",
		Short: "Remove an entry from a manifest list or image index",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			dg, err := digest.Parse(args[1])
			if err != nil {
				return usageError("invalid image digest %q: %v", args[1], err)
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			id, err := service.ManifestRemove(rt, args[0], dg)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s\n", id, dg)
			return nil
		},
	}
}
