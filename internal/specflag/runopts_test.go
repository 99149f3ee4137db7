package specflag

import (
	"os"
	"path/filepath"
	"testing"
)

func TestUmask(t *testing.T) {
	for in, want := range map[string]uint32{"0022": 0o22, "77": 0o77, "0777": 0o777, "0": 0} {
		if got, err := Umask(in); err != nil || got != want {
			t.Errorf("Umask(%q) = %o, %v; want %o", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0999", "abc", "01777", "-1"} {
		if _, err := Umask(in); err == nil {
			t.Errorf("Umask(%q): no error", in)
		}
	}
}

func TestLabelFiles(t *testing.T) {
	f := filepath.Join(t.TempDir(), "l")
	if err := os.WriteFile(f, []byte("# c\na=1\n\nb=2\nc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := LabelFiles([]string{f}, []string{"b=flag"})
	if err != nil || len(got) != 3 || got["a"] != "1" || got["b"] != "flag" || got["c"] != "" {
		t.Errorf("LabelFiles = %v, %v", got, err)
	}
	if _, err := Annotations([]string{"novalue"}); err == nil {
		t.Error("Annotations(novalue): no error")
	}
}
