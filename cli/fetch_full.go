//go:build !berth_lean

package cli

import (
	"fmt"
	"io"
	"net/http"
)

// fetchURL reads a kube YAML given as an http(s) URL.
func fetchURL(url string) ([]byte, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", url, resp.Status)
	}
	return io.ReadAll(resp.Body)
}
