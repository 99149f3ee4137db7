package image

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine/define"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestApplyChanges(t *testing.T) {
	tests := []struct {
		name    string
		base    v1.ImageConfig
		changes []string
		want    v1.ImageConfig
	}{
		{"cmd json", v1.ImageConfig{}, []string{`CMD ["/bin/echo","hi"]`}, v1.ImageConfig{Cmd: []string{"/bin/echo", "hi"}}},
		{"cmd shell", v1.ImageConfig{}, []string{`CMD echo hi there`}, v1.ImageConfig{Cmd: []string{"/bin/sh", "-c", "echo hi there"}}},
		{"cmd equals form", v1.ImageConfig{}, []string{`cmd=["sh"]`}, v1.ImageConfig{Cmd: []string{"sh"}}},
		{"entrypoint keeps cmd", v1.ImageConfig{Cmd: []string{"sh"}}, []string{`ENTRYPOINT ["/bin/busybox"]`},
			v1.ImageConfig{Cmd: []string{"sh"}, Entrypoint: []string{"/bin/busybox"}}},
		{"env pairs and replace", v1.ImageConfig{Env: []string{"A=1", "PATH=/bin"}}, []string{`ENV A=2 B="two words"`, "ENV C three words"},
			v1.ImageConfig{Env: []string{"A=2", "PATH=/bin", "B=two words", "C=three words"}}},
		{"label", v1.ImageConfig{}, []string{`LABEL a=b "c d"=e`, "LABEL x y"},
			v1.ImageConfig{Labels: map[string]string{"a": "b", "c d": "e", "x": "y"}}},
		{"expose", v1.ImageConfig{}, []string{"EXPOSE 80 53/udp 443/TCP"},
			v1.ImageConfig{ExposedPorts: map[string]struct{}{"80/tcp": {}, "53/udp": {}, "443/tcp": {}}}},
		{"volume both forms", v1.ImageConfig{}, []string{`VOLUME ["/data"]`, "VOLUME /a /b"},
			v1.ImageConfig{Volumes: map[string]struct{}{"/data": {}, "/a": {}, "/b": {}}}},
		{"workdir relative", v1.ImageConfig{WorkingDir: "/srv"}, []string{"WORKDIR app"}, v1.ImageConfig{WorkingDir: "/srv/app"}},
		{"workdir absolute", v1.ImageConfig{}, []string{"WORKDIR /tmp/"}, v1.ImageConfig{WorkingDir: "/tmp"}},
		{"user and stopsignal", v1.ImageConfig{}, []string{"USER 1000:1000", "STOPSIGNAL SIGINT"},
			v1.ImageConfig{User: "1000:1000", StopSignal: "SIGINT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.base
			if err := ApplyChanges(&got, tt.changes); err != nil {
				t.Fatalf("ApplyChanges(%q): %v", tt.changes, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ApplyChanges(%q) = %+v, want %+v", tt.changes, got, tt.want)
			}
		})
	}
}

func TestApplyChangesInvalid(t *testing.T) {
	for _, change := range []string{
		"FOO x",
		"ONBUILD RUN true",
		"CMD",
		`CMD ["unterminated"`,
		"EXPOSE 99999",
		"EXPOSE 80/icmp",
		"ENV novalue",
		"USER a b",
		"STOPSIGNAL SIG;TERM",
		`LABEL a="b`,
	} {
		t.Run(change, func(t *testing.T) {
			var cfg v1.ImageConfig
			err := ApplyChanges(&cfg, []string{change})
			if err == nil {
				t.Fatalf("ApplyChanges(%q) = nil, want error", change)
			}
			if !errors.Is(err, define.ErrInvalidArg) {
				t.Errorf("error %v is not ErrInvalidArg", err)
			}
			if prefix := fmt.Sprintf("invalid change %q: ", change); !strings.HasPrefix(err.Error(), prefix) {
				t.Errorf("error %q does not start with %q", err, prefix)
			}
		})
	}
}

func TestNormalizeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"busybox", "localhost/busybox:latest"},
		{"busybox:1.36", "localhost/busybox:1.36"},
		{"foo/bar", "localhost/foo/bar:latest"},
		{"docker.io/busybox", "docker.io/library/busybox:latest"},
		{"quay.io/a/b:c", "quay.io/a/b:c"},
		{"localhost:5000/x", "localhost:5000/x:latest"},
		{"localhost/x:1", "localhost/x:1"},
	}
	for _, tt := range tests {
		got, err := NormalizeName(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizeName(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "UPPER", "a b", "x:"} {
		if got, err := NormalizeName(bad); !errors.Is(err, define.ErrInvalidArg) {
			t.Errorf("NormalizeName(%q) = %q, %v, want ErrInvalidArg", bad, got, err)
		}
	}
}
