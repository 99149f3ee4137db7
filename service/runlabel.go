package service

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/shellwords"
)

// RunlabelCommand is the command an image's label LABEL names for
// `container runlabel`, prepared as podman prepares it: IMAGE, $IMAGE
// and ${IMAGE} become the image's name, NAME (and its forms) the
// container name (name, else the image's base name without its tag),
// $PWD and $HOME expand, other $VARs are dropped, and args are appended.
// An empty command after that is an error.
// run is what to execute: when the command is podman, docker or berth
// itself, this berth with the global flags of rt's store instead.
func RunlabelCommand(rt *engine.Runtime, label, imageRef, name string, args []string) (cmd, run []string, err error) {
	cmd, self, err := runlabelWords(rt, label, imageRef, name, args)
	if err != nil {
		return nil, nil, err
	}
	if self {
		cfg := rt.Config()
		return cmd, append(cfg.GlobalArgs(), cmd[1:]...), nil
	}
	return cmd, cmd, nil
}

// RunlabelReplace removes the container the command names with --name,
// as podman's runlabel --replace does.
func RunlabelReplace(ctx context.Context, rt *engine.Runtime, cmd []string) error {
	for i, a := range cmd {
		if a != "--name" || i+1 >= len(cmd) {
			continue
		}
		c, err := rt.LookupContainer(cmd[i+1])
		if errors.Is(err, define.ErrNoSuchCtr) {
			return nil
		}
		if err != nil {
			return err
		}
		return rt.RemoveContainer(ctx, c, engine.RemoveOptions{Force: true})
	}
	return nil
}

func runlabelWords(rt *engine.Runtime, label, imageRef, name string, args []string) (cmd []string, self bool, err error) {
	svc, err := rt.Images()
	if err != nil {
		return nil, false, err
	}
	img, err := svc.Lookup(imageRef)
	if err != nil {
		return nil, false, err
	}
	var value string
	for k, v := range img.Config.Labels {
		if strings.EqualFold(k, label) {
			value = v
			break
		}
	}
	if value == "" {
		return nil, false, fmt.Errorf("cannot find the value of label: %s in image: %s: %w", label, imageRef, define.ErrInvalidArg)
	}
	imageName := img.ID
	if len(img.Names) > 0 {
		imageName = img.Names[0]
	}
	if name == "" {
		base := imageName
		if !strings.HasPrefix(img.ID, imageRef) {
			base = imageRef
		}
		name = base[strings.LastIndex(base, "/")+1:]
		name, _, _ = strings.Cut(name, ":")
	}
	if len(args) > 0 {
		value += " " + strings.Join(args, " ")
	}
	words, err := shellwords.Split(value)
	if err != nil {
		return nil, false, fmt.Errorf("label %s: %w: %w", label, err, define.ErrInvalidArg)
	}
	if len(words) == 0 {
		return nil, false, fmt.Errorf("label %s of image %s is empty: %w", label, imageRef, define.ErrInvalidArg)
	}
	for i, w := range words[1:] {
		words[i+1] = replaceLabelVar(replaceLabelVar(w, "NAME", name), "IMAGE", imageName)
	}
	// Each word is expanded on its own: podman joins and splits again,
	// which loses the quoting of a word like 'echo $PWD' given to sh -c.
	cmd = make([]string, len(words))
	for i, w := range words {
		cmd[i] = os.Expand(w, func(k string) string {
			switch k {
			case "PWD":
				d, _ := os.Getwd()
				return d
			case "HOME":
				h, _ := os.UserHomeDir()
				return h
			}
			return ""
		})
	}
	if cmd[0] == "" {
		return nil, false, fmt.Errorf("label %s of image %s names no command: %w", label, imageRef, define.ErrInvalidArg)
	}
	switch base := filepath.Base(cmd[0]); {
	case cmd[0] == "podman" || cmd[0] == "berth" || base == "docker":
		return cmd, true, nil
	case strings.Contains(cmd[0], "/"):
		abs, err := filepath.Abs(cmd[0])
		if err != nil {
			return nil, false, err
		}
		cmd[0] = abs
	}
	return cmd, false, nil
}

// replaceLabelVar substitutes podman's runlabel variable v (NAME or
// IMAGE) in one word: the bare word, $V, ${V} and a trailing =V.
func replaceLabelVar(w, v, val string) string {
	if w == v {
		return val
	}
	w = strings.ReplaceAll(w, "${"+v+"}", val)
	w = strings.ReplaceAll(w, "$"+v, val)
	if strings.HasSuffix(w, "="+v) {
		w = strings.TrimSuffix(w, v) + val
	}
	return w
}
