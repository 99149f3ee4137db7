// Command agentls lists the keys of the ssh agent at $SSH_AUTH_SOCK (their
// SHA256 fingerprints, one a line) after checking that the agent signs
// with each of them: what TestBuildSSH runs inside a busybox RUN step.
package main

import (
	"fmt"
	"net"
	"os"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

func main() {
	c, err := net.Dial("unix", os.Getenv("SSH_AUTH_SOCK"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "agentls:", err)
		os.Exit(2)
	}
	defer c.Close()
	ag := agent.NewClient(c)
	keys, err := ag.List()
	if err != nil || len(keys) == 0 {
		fmt.Fprintln(os.Stderr, "agentls: no keys:", err)
		os.Exit(3)
	}
	data := []byte("berth build ssh")
	for _, k := range keys {
		sig, err := ag.Sign(k, data)
		if err == nil {
			err = k.Verify(data, sig)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "agentls: sign:", err)
			os.Exit(4)
		}
		fmt.Println(ssh.FingerprintSHA256(k))
	}
	// The build's own agents refuse changes; a forwarded one is the user's.
	if os.Getenv("AGENTLS_TRY_ADD") != "" {
		if err := ag.RemoveAll(); err == nil {
			fmt.Println("removed")
		} else {
			fmt.Println("refused")
		}
	}
}
