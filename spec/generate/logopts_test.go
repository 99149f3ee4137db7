package generate

import (
	"strings"
	"testing"

	"github.com/berth-dev/berth/spec"
)

func TestLogConfig(t *testing.T) {
	for _, tt := range []struct {
		name    string
		driver  string
		opts    []string
		want    logSettings
		wantErr string
	}{
		{name: "default"},
		{name: "json-file is k8s-file", driver: "json-file", want: logSettings{driver: "k8s-file"}},
		{name: "size tag file", opts: []string{"max-size=1kb", "max-file=3", "tag={{.Name}}"},
			want: logSettings{sizeMax: 1000, tag: "{{.Name}}", opts: map[string]string{"max-size": "1kb", "max-file": "3", "tag": "{{.Name}}"}}},
		{name: "journald tag", driver: "journald", opts: []string{"tag=web"}, want: logSettings{driver: "journald", tag: "web", opts: map[string]string{"tag": "web"}}},
		{name: "passthrough", driver: "passthrough", want: logSettings{driver: "passthrough"}},
		{name: "syslog", driver: "syslog", opts: []string{"syslog-address=udp://h:1", "syslog-format=rfc5424"},
			want: logSettings{driver: "syslog", opts: map[string]string{"syslog-address": "udp://h:1", "syslog-format": "rfc5424"}}},
		{name: "syslog opt elsewhere", opts: []string{"syslog-address=udp://h:1"}, wantErr: "only the syslog log driver takes syslog-address"},
		{name: "fluentd", driver: "fluentd", wantErr: `--log-driver "fluentd": supported drivers are`},
		{name: "bad size", opts: []string{"max-size=big"}, wantErr: "max-size must be a positive size"},
		{name: "zero size", opts: []string{"max-size=0"}, wantErr: "max-size must be a positive size"},
		{name: "bad file", opts: []string{"max-file=0"}, wantErr: "max-file must be a positive integer"},
		{name: "relative path", opts: []string{"path=x.log"}, wantErr: "path must be absolute"},
		{name: "path with journald", driver: "journald", opts: []string{"path=/x.log"}, wantErr: "only the k8s-file log driver writes a file"},
		{name: "size with none", driver: "none", opts: []string{"max-size=1m"}, wantErr: "only the k8s-file log driver has a size"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := logConfig(&spec.ContainerSpec{LogDriver: tt.driver, LogOpts: tt.opts})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.driver != tt.want.driver || got.tag != tt.want.tag || got.sizeMax != tt.want.sizeMax || len(got.opts) != len(tt.want.opts) {
				t.Errorf("logConfig = %+v, want %+v", got, tt.want)
			}
			for k, v := range tt.want.opts {
				if got.opts[k] != v {
					t.Errorf("opts[%s] = %q, want %q", k, got.opts[k], v)
				}
			}
		})
	}
}
