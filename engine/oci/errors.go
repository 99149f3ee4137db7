package oci

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/engine/define"
)

// ErrDetach is returned by Attach when the user typed the detach keys: the
// container keeps running and the caller should report a detach, not an
// error.
var ErrDetach = errors.New("detached from container")

// runtimeError turns a message printed by the OCI runtime (or forwarded by
// conmon) into an error wrapping the define sentinel the CLI maps to an exit
// code: 127 for a missing executable, 126 for permission denied or any other
// runtime failure.
func runtimeError(op, msg string) error {
	lower := strings.ToLower(msg)
	switch {
	case strings.Contains(lower, "container does not exist"),
		strings.Contains(lower, "container not found"):
		return fmt.Errorf("%s: %s: %w", op, msg, define.ErrNoSuchCtr)
	case strings.Contains(lower, "container with id exists"),
		strings.Contains(lower, "container") && strings.Contains(lower, "already exists"):
		return fmt.Errorf("%s: %s: %w", op, msg, define.ErrCtrExists)
	case strings.Contains(lower, "permission denied"),
		strings.Contains(lower, "operation not permitted"):
		return fmt.Errorf("%s: %s: %w", op, msg, define.ErrOCIRuntimePermissionDenied)
	case strings.Contains(lower, "namespace path"):
		// A namespace to join vanished: not the command's fault.
		return fmt.Errorf("%s: %s: %w", op, msg, define.ErrOCIRuntime)
	case strings.Contains(lower, "executable file not found"),
		strings.Contains(lower, "no such file or directory"):
		return fmt.Errorf("%s: %s: %w", op, msg, define.ErrOCIRuntimeNotFound)
	}
	return fmt.Errorf("%s: %s: %w", op, msg, define.ErrOCIRuntime)
}

// cleanRuntimeMessage extracts the human message from what a runtime wrote
// to stderr or to its --log file: JSON lines ({"level":"error","msg":...}),
// logrus text lines (level=error msg="..."), or plain text. The last error
// wins because runc logs context first and the cause last.
func cleanRuntimeMessage(out string) string {
	var last, lastErr string
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		level, msg := parseLogLine(line)
		if msg == "" {
			continue
		}
		last = msg
		if level == "error" || level == "fatal" || level == "panic" {
			lastErr = msg
		}
	}
	if lastErr != "" {
		return lastErr
	}
	return last
}

// parseLogLine returns the level and message of one runtime log line.
func parseLogLine(line string) (level, msg string) {
	if strings.HasPrefix(line, "{") {
		var entry struct {
			Level string `json:"level"`
			Msg   string `json:"msg"`
		}
		if json.Unmarshal([]byte(line), &entry) == nil {
			return entry.Level, strings.TrimSpace(entry.Msg)
		}
	}
	if i := strings.Index(line, "msg="); i >= 0 && strings.Contains(line, "level=") {
		level = logfmtValue(line, "level=")
		rest := line[i+len("msg="):]
		if strings.HasPrefix(rest, `"`) {
			if s, err := strconv.QuotedPrefix(rest); err == nil {
				if u, err := strconv.Unquote(s); err == nil {
					return level, strings.TrimSpace(u)
				}
			}
		}
		v, _, _ := strings.Cut(rest, " ")
		return level, v
	}
	return "", line
}

func logfmtValue(line, key string) string {
	i := strings.Index(line, key)
	if i < 0 {
		return ""
	}
	v, _, _ := strings.Cut(line[i+len(key):], " ")
	return strings.Trim(v, `"`)
}
