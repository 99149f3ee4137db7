package rootless

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestSubIDs(t *testing.T) {
	p := filepath.Join(t.TempDir(), "subuid")
	if err := os.WriteFile(p, []byte("alice:100000:65536\nbob:200000:1000\n1001:300000:10\nalice:400000:5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := subIDs(p, "alice", "1000")
	if err != nil {
		t.Fatal(err)
	}
	want := []IDMap{{HostID: 100000, Size: 65536}, {HostID: 400000, Size: 5}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("alice: got %v, want %v", got, want)
	}
	if got, err := subIDs(p, "carol", "1001"); err != nil || len(got) != 1 || got[0].HostID != 300000 {
		t.Errorf("by uid: got %v, %v", got, err)
	}
	_, err = subIDs(p, "dave", "1002")
	if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "usermod --add-subuids") {
		t.Errorf("no entry: got %v, want an error naming the file and usermod", err)
	}
}
