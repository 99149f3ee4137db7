package engine

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/engine/define"
)

// volumeNameRE is the rule podman and docker apply to volume names (as to
// container names): no slash, no leading dot, so a name is always one
// plain directory under the volume root.
var volumeNameRE = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// CheckVolumeName refuses a name that is not a plain directory name.
func CheckVolumeName(name string) error {
	if !volumeNameRE.MatchString(name) || strings.Contains(name, "..") {
		return fmt.Errorf("volume name %q: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]* without \"..\": %w", name, define.ErrInvalidArg)
	}
	return nil
}

// applyVolumeOptions checks the local driver's options (podman's set:
// type, device, o, uid, gid, copy, nocopy; size and inodes need a quota
// the volume root does not have) and takes from them what berth acts on:
// the owner (uid=, gid=, also inside o=) and nocopy. What is left of o=
// is passed to mount(2) with type and device when the volume is used.
func applyVolumeOptions(cfg *define.VolumeConfig) error {
	// Keys are case-insensitive; store them as they are read below.
	if len(cfg.Options) > 0 {
		lower := make(map[string]string, len(cfg.Options))
		for k, v := range cfg.Options {
			lower[strings.ToLower(k)] = v
		}
		cfg.Options = lower
	}
	typ := strings.ToLower(cfg.Options["type"])
	for key, val := range cfg.Options {
		switch strings.ToLower(key) {
		case "type":
		case "device":
			if typ == "bind" {
				if _, err := os.Stat(val); err != nil {
					return fmt.Errorf("invalid volume option device for driver 'local': %v: %w", err, define.ErrInvalidArg)
				}
			}
		case "uid", "gid":
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 {
				return fmt.Errorf("invalid volume option %s=%s: must be a non-negative number: %w", key, val, define.ErrInvalidArg)
			}
			setOwner(cfg, key, n)
		case "copy":
		case "nocopy":
			cfg.NoCopy = true
		case "o":
			if err := applyMountOpts(cfg, typ, val); err != nil {
				return err
			}
		case "size", "inodes", "noquota":
			return fmt.Errorf("volume option %s: the volume root has no project quota: %w", key, define.ErrInvalidArg)
		default:
			return fmt.Errorf("invalid mount option %s for driver 'local': %w", key, define.ErrInvalidArg)
		}
	}
	if cfg.Options["o"] != "" && typ == "" && mountOpts(typ, cfg.Options["o"]) != "" {
		return fmt.Errorf("volume option o=%s: mount options need type= (and device=): %w", cfg.Options["o"], define.ErrInvalidArg)
	}
	if (typ != "") != (cfg.Options["device"] != "") {
		return fmt.Errorf("volume options type and device go together: %w", define.ErrInvalidArg)
	}
	return nil
}

// applyMountOpts reads the entries of o= that are berth's own.
func applyMountOpts(cfg *define.VolumeConfig, typ, o string) error {
	for _, opt := range strings.Split(o, ",") {
		k, v, _ := strings.Cut(opt, "=")
		switch k {
		case "uid", "gid":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return fmt.Errorf("invalid volume option o=%s: %s must be a non-negative number: %w", o, k, define.ErrInvalidArg)
			}
			setOwner(cfg, k, n)
		case "nocopy":
			cfg.NoCopy = true
		case "size", "inodes":
			if typ != "tmpfs" {
				return fmt.Errorf("volume option o=%s: %s is only for type=tmpfs (the volume root has no project quota): %w", o, k, define.ErrInvalidArg)
			}
		}
	}
	return nil
}

func setOwner(cfg *define.VolumeConfig, key string, n int) {
	if strings.EqualFold(key, "uid") {
		cfg.UID = n
	} else {
		cfg.GID = n
	}
}

// mountOpts is o= without the entries berth handles itself (copy, nocopy,
// and uid/gid except for tmpfs, which takes them as mount options): what
// mount(2) gets.
func mountOpts(typ, o string) string {
	var keep []string
	for _, opt := range strings.Split(o, ",") {
		k, _, _ := strings.Cut(opt, "=")
		switch {
		case k == "", k == "copy", k == "nocopy":
			continue
		case (k == "uid" || k == "gid") && typ != "tmpfs":
			continue
		}
		keep = append(keep, opt)
	}
	return strings.Join(keep, ",")
}
