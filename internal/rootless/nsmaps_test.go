package rootless

import (
	"os"
	"strings"
	"testing"
)

func TestNSMapsOwnNamespace(t *testing.T) {
	uids, gids, err := NSMaps("/proc/self/ns/user")
	if err != nil {
		t.Fatal(err)
	}
	own, ownG, _ := CurrentMaps()
	if len(uids) != len(own) || uids[0] != own[0] || len(gids) != len(ownG) || gids[0] != ownG[0] {
		t.Errorf("got %v %v, want the process's own %v %v", uids, gids, own, ownG)
	}
	if _, _, err := NSMaps("/proc/self/ns/net"); err == nil || !strings.Contains(err.Error(), "not a user namespace") {
		t.Errorf("a network namespace: got %v", err)
	}
	f, _ := os.CreateTemp(t.TempDir(), "plain")
	f.Close()
	if _, _, err := NSMaps(f.Name()); err == nil || !strings.Contains(err.Error(), "not a namespace file") {
		t.Errorf("a plain file: got %v", err)
	}
}
