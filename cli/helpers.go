package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"github.com/berth-dev/berth/internal/errdefs"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
	"golang.org/x/term"
	"os"
	"strings"
)

func parseJSONArray(s string) ([]string, error) {
	var out []string
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, err
	}
	return out, nil
}

// writeCIDFile writes the container ID for --cidfile; like podman it
// refuses to overwrite an existing file.
func writeCIDFile(path, id string) error {
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("container id file: %w", err)
	}
	defer f.Close()
	_, err = f.WriteString(id)
	return err
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

func isNotFound(err error) bool { return errdefs.IsNotFound(err) }

// latestContainer is the most recently created container (--latest).
func latestContainer(rt *service.Runtime) (*service.Container, error) {
	ctrs, _, err := service.Resolve(rt, nil, false, true)
	if err != nil {
		return nil, err
	}
	return ctrs[0], nil
}

// confirm asks a yes/no question on the command's streams; anything but
// "y"/"yes" (including EOF) is no.
func confirm(cmd *cobra.Command, question string) (bool, error) {
	fmt.Fprint(cmd.OutOrStdout(), question)
	line, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
	if err != nil && line == "" {
		return false, nil
	}
	a := strings.ToLower(strings.TrimSpace(line))
	return a == "y" || a == "yes", nil
}
