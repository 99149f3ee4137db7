package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// RegistryOptions selects how a test registry serves.
type RegistryOptions struct {
	// TLS serves HTTPS with a certificate of a CA made for this registry;
	// CertDir then holds that CA as ca.crt, for --cert-dir.
	TLS bool
	// Auth requires htpasswd basic auth for User/Password.
	Auth bool
}

// Registry is a docker-registry process (Debian's docker-registry) on
// 127.0.0.1 on a free port, owned by one test: it is killed by PID and its
// directory removed when the test ends.
type Registry struct {
	// Addr is host:port, as image names use it ("127.0.0.1:41234").
	Addr string
	// Dir holds the config, storage, certificates and log.
	Dir string
	// CertDir holds ca.crt when TLS is on.
	CertDir string
	// User and Password are the htpasswd credentials when Auth is on.
	User, Password string
	opts           RegistryOptions
	client         *http.Client
}

// StartRegistry starts a registry for t. A port taken between choosing it
// and the registry binding it is retried with another one.
func StartRegistry(t testing.TB, opts RegistryOptions) *Registry {
	t.Helper()
	if _, err := exec.LookPath("docker-registry"); err != nil {
		t.Skip("docker-registry not installed (apt-get install docker-registry)")
	}
	dir, err := os.MkdirTemp("/tmp", "berth-e2e-registry-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	r := &Registry{Dir: dir, opts: opts, client: &http.Client{Timeout: 5 * time.Second}}
	if opts.TLS {
		r.makeCerts(t)
	}
	if opts.Auth {
		r.User, r.Password = "berthuser", "s3cret-"+strconv.Itoa(os.Getpid())
		hash, err := bcrypt.GenerateFromPassword([]byte(r.Password), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "htpasswd"), []byte(r.User+":"+string(hash)+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for attempt := 0; attempt < 5; attempt++ {
		port := freePort(t)
		r.Addr = "127.0.0.1:" + strconv.Itoa(port)
		if r.start(t) {
			return r
		}
	}
	t.Fatalf("docker-registry did not start; log:\n%s", r.log())
	return nil
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// freeSubnet24 returns a 10.233.N.0/24 that no host interface uses, so a
// test that names its subnet does not collide with a leftover bridge or
// a second suite running at the same time.
func freeSubnet24(t testing.TB) string {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	start := os.Getpid() % 200
	for i := 0; i < 250; i++ {
		n := (start + i) % 250
		_, cand, _ := net.ParseCIDR(fmt.Sprintf("10.233.%d.0/24", n))
		used := false
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && (cand.Contains(ipn.IP) || ipn.Contains(cand.IP)) {
				used = true
			}
		}
		if !used {
			return cand.String()
		}
	}
	t.Fatal("no free 10.233.N.0/24 subnet on this host")
	return ""
}

// start writes the config for r.Addr, runs the registry and waits until
// it answers; false means it exited (port taken) and may be retried.
func (r *Registry) start(t testing.TB) bool {
	t.Helper()
	cfg := fmt.Sprintf(`version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: %s
`, filepath.Join(r.Dir, "data"), r.Addr)
	if r.opts.TLS {
		cfg += fmt.Sprintf("  tls:\n    certificate: %s\n    key: %s\n", filepath.Join(r.Dir, "server.crt"), filepath.Join(r.Dir, "server.key"))
	}
	if r.opts.Auth {
		cfg += fmt.Sprintf("auth:\n  htpasswd:\n    realm: berth-test\n    path: %s\n", filepath.Join(r.Dir, "htpasswd"))
	}
	cfgPath := filepath.Join(r.Dir, "config.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	logf, err := os.OpenFile(filepath.Join(r.Dir, "registry.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command("docker-registry", "serve", cfgPath)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start docker-registry: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false
		default:
		}
		if resp, err := r.client.Get(r.URL() + "/v2/"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnauthorized {
				t.Cleanup(func() {
					_ = syscall.Kill(cmd.Process.Pid, syscall.SIGKILL)
					<-exited
				})
				return true
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = syscall.Kill(cmd.Process.Pid, syscall.SIGKILL)
	<-exited
	t.Fatalf("docker-registry on %s did not answer; log:\n%s", r.Addr, r.log())
	return false
}

// URL is the registry's base URL.
func (r *Registry) URL() string {
	if r.opts.TLS {
		return "https://" + r.Addr
	}
	return "http://" + r.Addr
}

func (r *Registry) log() string {
	b, _ := os.ReadFile(filepath.Join(r.Dir, "registry.log"))
	return string(b)
}

// Ref names repo:tag on this registry.
func (r *Registry) Ref(repoTag string) string { return r.Addr + "/" + repoTag }

// Flags are the berth flags to reach this registry: --tls-verify=false for
// plain HTTP, --cert-dir for TLS, --creds when auth is on.
func (r *Registry) Flags() []string {
	var f []string
	if r.opts.TLS {
		f = append(f, "--cert-dir", r.CertDir)
	} else {
		f = append(f, "--tls-verify=false")
	}
	if r.opts.Auth {
		f = append(f, "--creds", r.User+":"+r.Password)
	}
	return f
}

// makeCerts creates a CA and a server certificate for 127.0.0.1 signed by
// it; the CA goes to CertDir/ca.crt.
func (r *Registry) makeCerts(t testing.TB) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "berth e2e CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	srvTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	srvKeyDER, err := x509.MarshalECPrivateKey(srvKey)
	if err != nil {
		t.Fatal(err)
	}
	r.CertDir = filepath.Join(r.Dir, "certs")
	if err := os.MkdirAll(r.CertDir, 0o700); err != nil {
		t.Fatal(err)
	}
	writePEM(t, filepath.Join(r.CertDir, "ca.crt"), "CERTIFICATE", caDER)
	writePEM(t, filepath.Join(r.Dir, "server.crt"), "CERTIFICATE", srvDER)
	writePEM(t, filepath.Join(r.Dir, "server.key"), "EC PRIVATE KEY", srvKeyDER)
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	r.client.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
}

func writePEM(t testing.TB, path, kind string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// Proxy modes of a BlobProxy.
const (
	ProxyPass     int32 = iota // forward everything unchanged
	ProxyCorrupt               // flip a byte in the target blob (digest mismatch)
	ProxyTruncate              // send half of the target blob, then drop the connection
	ProxyStall                 // send half of the target blob, then hang until the client goes
)

// BlobProxy is a plain-HTTP reverse proxy in front of a Registry that can
// damage one blob on its way to the client. Damaging the top layer of an
// image makes the failure happen after its base layer was stored.
type BlobProxy struct {
	// Addr is host:port of the proxy on 127.0.0.1.
	Addr   string
	mode   atomic.Int32
	target atomic.Value // digest string
	// Stalled is closed when a ProxyStall response has sent its half.
	Stalled chan struct{}
	once    sync.Once
}

// StartBlobProxy serves a proxy to reg (which must be plain HTTP) until the
// test ends.
func StartBlobProxy(t testing.TB, reg *Registry) *BlobProxy {
	t.Helper()
	p := &BlobProxy{Stalled: make(chan struct{})}
	upstream := &http.Client{Timeout: 30 * time.Second}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		out, err := http.NewRequestWithContext(req.Context(), req.Method, reg.URL()+req.URL.RequestURI(), req.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		out.Header = req.Header.Clone()
		out.ContentLength = req.ContentLength
		resp, err := upstream.Do(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		target, _ := p.target.Load().(string)
		isBlob := req.Method == http.MethodGet && target != "" && strings.HasSuffix(req.URL.Path, "/blobs/"+target)
		mode := p.mode.Load()
		if !isBlob || mode == ProxyPass {
			w.WriteHeader(resp.StatusCode)
			_, _ = io.Copy(w, resp.Body)
			return
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		w.WriteHeader(resp.StatusCode)
		switch mode {
		case ProxyCorrupt:
			body[len(body)/2] ^= 0xff
			_, _ = w.Write(body)
		case ProxyTruncate:
			// A resumed (Range) request gets nothing: no progress, so
			// the client must give up instead of assembling the blob.
			if req.Header.Get("Range") == "" {
				_, _ = w.Write(body[:len(body)/2])
				w.(http.Flusher).Flush()
			}
			panic(http.ErrAbortHandler)
		case ProxyStall:
			_, _ = w.Write(body[:len(body)/2])
			w.(http.Flusher).Flush()
			p.once.Do(func() { close(p.Stalled) })
			<-req.Context().Done()
		}
	}))
	t.Cleanup(srv.Close)
	p.Addr = strings.TrimPrefix(srv.URL, "http://")
	return p
}

// Damage switches what the proxy does to the blob digest from now on.
func (p *BlobProxy) Damage(mode int32, digest string) {
	p.target.Store(digest)
	p.mode.Store(mode)
}

// ManifestLayers returns the layer digests of repo:tag, read from the
// registry itself.
func (r *Registry) ManifestLayers(t testing.TB, repo, tag string) []string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, r.URL()+"/v2/"+repo+"/manifests/"+tag, nil)
	req.Header.Set("Accept", "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json")
	if r.opts.Auth {
		req.SetBasicAuth(r.User, r.Password)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m struct {
		Layers []struct{ Digest string } `json:"layers"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("manifest %s:%s: status %d, %v", repo, tag, resp.StatusCode, err)
	}
	var out []string
	for _, l := range m.Layers {
		out = append(out, l.Digest)
	}
	return out
}
