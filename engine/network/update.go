package network

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/berth-dev/berth/engine/define"
)

// UpdateOptions are the changes `network update` makes.
type UpdateOptions struct {
	AddDNSServers, DropDNSServers []string
}

// Update changes a network's DNS servers: the definition, and the running
// aardvark-dns through `netavark update` when it serves the network. A
// failed update leaves the definition as it was.
func (m *Manager) Update(ctx context.Context, nameOrID string, o UpdateOptions) (define.Network, error) {
	for _, list := range []struct {
		ips  []string
		name string
	}{{o.AddDNSServers, "AddDNSServer"}, {o.DropDNSServers, "RemoveDNSServer"}} {
		for _, ip := range list.ips {
			if _, err := netip.ParseAddr(ip); err != nil {
				return define.Network{}, fmt.Errorf("unable to parse ip %s specified in %s: %w", ip, list.name, define.ErrInvalidArg)
			}
		}
	}
	found, err := m.Inspect(nameOrID)
	if err != nil {
		return found, err
	}
	unlock, err := m.lock()
	if err != nil {
		return found, err
	}
	defer unlock()
	n, err := m.read(found.Name)
	if err != nil {
		return n, err
	}
	before := n.NetworkDNSServers
	var after []string
	for _, s := range before {
		if !slices.Contains(o.DropDNSServers, s) {
			after = append(after, s)
		}
	}
	for _, s := range o.AddDNSServers {
		if !slices.Contains(after, s) {
			after = append(after, s)
		}
	}
	if slices.Equal(before, after) {
		return n, nil
	}
	if len(after) > 0 && !n.DNSEnabled {
		return n, fmt.Errorf("cannot set NetworkDNSServers if DNS is not enabled for the network: %w", define.ErrInvalidArg)
	}
	n.NetworkDNSServers = after
	if err := m.write(n); err != nil {
		return n, err
	}
	if err := m.updateAardvark(ctx, n); err != nil {
		n.NetworkDNSServers = before
		if werr := m.write(n); werr != nil {
			m.cfg.Warnf("restoring network %s: %v", n.Name, werr)
		}
		return n, err
	}
	return n, nil
}

func (m *Manager) write(n define.Network) error {
	data, err := json.MarshalIndent(n, "", "     ")
	if err != nil {
		return err
	}
	return writeFileAtomic(m.defPath(n.Name), data)
}

// updateAardvark tells a running aardvark-dns of the network's servers;
// with no container on the network there is no aardvark config for it
// (netavark update would fail), and the next setup reads the definition.
func (m *Manager) updateAardvark(ctx context.Context, n define.Network) error {
	if _, err := os.Stat(filepath.Join(m.cfg.RunDir, "aardvark-dns", n.Name)); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	cmd := exec.CommandContext(ctx, m.cfg.NetavarkPath, "--config", m.cfg.RunDir, "--rootless=false",
		"--aardvark-binary", m.cfg.AardvarkPath, "update", "--network-dns-servers", strings.Join(n.NetworkDNSServers, ","), n.Name)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := netavarkError(stdout.Bytes(), stderr.Bytes())
		if msg == "" {
			msg = err.Error()
		}
		return fmt.Errorf("netavark update: %s: %w", msg, define.ErrNetworkSetup)
	}
	return nil
}
