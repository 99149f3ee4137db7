// udpecho answers every UDP datagram on :5000 with "echo:" and the
// datagram, for the published UDP port test (busybox has no UDP server).
package main

import (
	"log"
	"net"
)

func main() {
	c, err := net.ListenPacket("udp", ":5000")
	if err != nil {
		log.Fatal(err)
	}
	buf := make([]byte, 2048)
	for {
		n, from, err := c.ReadFrom(buf)
		if err != nil {
			log.Fatal(err)
		}
		_, _ = c.WriteTo(append([]byte("echo:"), buf[:n]...), from)
	}
}
