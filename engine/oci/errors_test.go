package oci

import (
	"errors"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine/define"
)

func TestCleanRuntimeMessage(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{
			name: "json lines, last error wins",
			in: `{"level":"warning","msg":"some warning","time":"x"}
{"level":"error","msg":"runc create failed: exec: \"nosuch\": executable file not found in $PATH","time":"x"}
{"level":"info","msg":"bye","time":"x"}
`,
			want: `runc create failed: exec: "nosuch": executable file not found in $PATH`,
		},
		{
			name: "logrus text",
			in:   `time="2026-11-29T00:21:10Z" level=error msg="container does not exist"` + "\n",
			want: "container does not exist",
		},
		{
			name: "logrus text unquoted",
			in:   `time="x" level=error msg=boom`,
			want: "boom",
		},
		{
			name: "plain text",
			in:   "first\nError: cannot do it\n\n",
			want: "Error: cannot do it",
		},
		{name: "empty", in: "\n \n", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cleanRuntimeMessage(tt.in); got != tt.want {
				t.Errorf("cleanRuntimeMessage() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRuntimeError(t *testing.T) {
	tests := []struct {
		msg  string
		want error
	}{
		{`exec: "nosuch": executable file not found in $PATH`, define.ErrOCIRuntimeNotFound},
		{`exec: "/bin/x": stat /bin/x: no such file or directory`, define.ErrOCIRuntimeNotFound},
		{`exec: "/etc": permission denied`, define.ErrOCIRuntimePermissionDenied},
		{`open /dev/x: operation not permitted`, define.ErrOCIRuntimePermissionDenied},
		{`container does not exist`, define.ErrNoSuchCtr},
		{`container with id exists: abc`, define.ErrCtrExists},
		{`cgroup freezer is broken`, define.ErrOCIRuntime},
	}
	for _, tt := range tests {
		t.Run(tt.msg, func(t *testing.T) {
			err := runtimeError("runc", tt.msg)
			if !errors.Is(err, tt.want) {
				t.Errorf("runtimeError(%q) = %v, want %v", tt.msg, err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "runc: "+tt.msg) {
				t.Errorf("runtimeError(%q) = %q, want the runtime's message kept", tt.msg, err)
			}
		})
	}
}
