package cli

import (
	"errors"
	"fmt"

	"github.com/berth-dev/berth/cli/format"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newSecretInspectCommand(d *Deps) *cobra.Command {
	var fmtStr string
	var pretty, show bool
	cmd := &cobra.Command{
		Use:   "inspect [options] SECRET [SECRET...]",
		Short: "Inspect a secret",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			var errs []error
			items := []any{}
			for _, name := range args {
				s, err := service.SecretInspect(rt, name, show)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				items = append(items, s)
			}
			out := cmd.OutOrStdout()
			switch {
			case pretty:
				for _, it := range items {
					s := it.(*service.SecretInfo)
					fmt.Fprintf(out, "ID:              %s\nName:            %s\nDriver:          %s\nCreated at:      %s\nUpdated at:      %s\n",
						s.ID, s.Spec.Name, s.Spec.Driver.Name, s.CreatedAt, s.UpdatedAt)
					if show {
						fmt.Fprintf(out, "Secret Data:     %s\n", s.SecretData)
					}
				}
			case fmtStr == "" || format.IsJSON(fmtStr):
				if err := format.JSON(out, items); err != nil {
					return err
				}
			default:
				if err := format.Execute(out, fmtStr, items); err != nil {
					return err
				}
			}
			return reportAll(cmd, errors.Join(errs...))
		},
	}
	f := cmd.Flags()
	f.StringVarP(&fmtStr, "format", "f", "", "format output using Go template")
	f.BoolVar(&pretty, "pretty", false, "print inspect output in human-readable format")
	f.BoolVar(&show, "showsecret", false, "display the secret")
	return cmd
}
