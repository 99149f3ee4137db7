package image

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/berth-dev/berth/internal/errdefs"
	"github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/storage/pkg/lockfile"
)

// Artifacts are OCI artifacts (podman 5's `artifact` commands): a manifest
// whose layers are plain files named by their
// org.opencontainers.image.title annotation, with an empty config. They
// live in an OCI image layout under the storage root (GraphRoot/artifacts,
// where podman keeps its own), one index.json entry per name, so that
// go.podman.io/image's oci: transport reads and writes the same store for
// push and pull.

// Artifact is one stored artifact as `artifact inspect` shows it.
type Artifact struct {
	Manifest *v1.Manifest `json:"Manifest"`
	Name     string       `json:"Name"`
	Digest   string       `json:"Digest"`
	// Size is the total size of the artifact's files.
	Size int64 `json:"-"`
}

// ArtifactAddOptions are podman's `artifact add` options.
type ArtifactAddOptions struct {
	// Type is the manifest's artifactType (--type).
	Type string
	// FileType is every file's media type (--file-type); empty detects it.
	FileType string
	// Annotations go on every file's layer (--annotation).
	Annotations map[string]string
	// Append adds the files to an existing artifact (--append).
	Append bool
}

// argErr is a bad-input error in podman's words, without a suffix.
func argErr(format string, args ...any) error {
	return errdefs.New(errdefs.ErrInvalidArgument, fmt.Sprintf(format, args...))
}

// artifactDir is the OCI layout of the artifact store.
func (s *Service) artifactDir() string {
	return filepath.Join(s.cs().GraphRoot(), "artifacts")
}

// lockArtifacts takes the store's lock (shared with other berth processes)
// after making sure the layout exists.
func (s *Service) lockArtifacts() (unlock func(), err error) {
	dir := s.artifactDir()
	if err := os.MkdirAll(filepath.Join(dir, v1.ImageBlobsDir, "sha256"), 0o700); err != nil {
		return nil, err
	}
	l, err := lockfile.GetLockFile(filepath.Join(dir, "index.lock"))
	if err != nil {
		return nil, err
	}
	l.Lock()
	if _, err := os.Stat(filepath.Join(dir, v1.ImageLayoutFile)); errors.Is(err, os.ErrNotExist) {
		b, _ := json.Marshal(v1.ImageLayout{Version: v1.ImageLayoutVersion})
		if err := os.WriteFile(filepath.Join(dir, v1.ImageLayoutFile), b, 0o644); err != nil {
			l.Unlock()
			return nil, err
		}
	}
	return l.Unlock, nil
}

// ArtifactName gives a name without tag or digest podman's ":latest".
func ArtifactName(name string) string {
	if !strings.Contains(name, ":") && !strings.Contains(name, "@") {
		return name + ":latest"
	}
	return name
}

func (s *Service) readArtifactIndex() (*v1.Index, error) {
	idx := &v1.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: v1.MediaTypeImageIndex}
	b, err := os.ReadFile(filepath.Join(s.artifactDir(), v1.ImageIndexFile))
	if errors.Is(err, os.ErrNotExist) {
		return idx, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, idx); err != nil {
		return nil, fmt.Errorf("artifact store index: %w", err)
	}
	return idx, nil
}

func (s *Service) writeArtifactIndex(idx *v1.Index) error {
	if idx.Manifests == nil {
		idx.Manifests = []v1.Descriptor{}
	}
	b, err := json.Marshal(idx)
	if err != nil {
		return err
	}
	p := filepath.Join(s.artifactDir(), v1.ImageIndexFile)
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}

func (s *Service) blobPath(d digest.Digest) string {
	return filepath.Join(s.artifactDir(), v1.ImageBlobsDir, d.Algorithm().String(), d.Encoded())
}

// loadArtifacts reads every named artifact of the index.
func (s *Service) loadArtifacts(idx *v1.Index) ([]*Artifact, error) {
	var out []*Artifact
	for _, d := range idx.Manifests {
		name := d.Annotations[v1.AnnotationRefName]
		if name == "" || d.Digest.Validate() != nil {
			continue
		}
		b, err := os.ReadFile(s.blobPath(d.Digest))
		if err != nil {
			return nil, fmt.Errorf("artifact %s: %w", name, err)
		}
		var m v1.Manifest
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("artifact %s manifest: %w", name, err)
		}
		a := &Artifact{Manifest: &m, Name: name, Digest: d.Digest.String()}
		for _, l := range m.Layers {
			a.Size += l.Size
		}
		out = append(out, a)
	}
	return out, nil
}

// findArtifact matches a name (":latest" added when it has no tag) or a
// digest or digest prefix, as podman does.
func findArtifact(list []*Artifact, nameOrDigest string) (*Artifact, error) {
	want := ArtifactName(nameOrDigest)
	for _, a := range list {
		if a.Name == nameOrDigest || a.Name == want {
			return a, nil
		}
	}
	hex := strings.TrimPrefix(nameOrDigest, "sha256:")
	for _, a := range list {
		if hex != "" && strings.HasPrefix(strings.TrimPrefix(a.Digest, "sha256:"), hex) {
			return a, nil
		}
	}
	return nil, errdefs.New(errdefs.ErrNotFound, "no artifact found with name or digest of "+nameOrDigest)
}

// ArtifactList returns the stored artifacts.
func (s *Service) ArtifactList() ([]*Artifact, error) {
	unlock, err := s.lockArtifacts()
	if err != nil {
		return nil, err
	}
	defer unlock()
	idx, err := s.readArtifactIndex()
	if err != nil {
		return nil, err
	}
	return s.loadArtifacts(idx)
}

// ArtifactInspect returns the artifact nameOrDigest names.
func (s *Service) ArtifactInspect(nameOrDigest string) (*Artifact, error) {
	list, err := s.ArtifactList()
	if err != nil {
		return nil, err
	}
	return findArtifact(list, nameOrDigest)
}

// ArtifactAdd stores files as the artifact name (or, with Append, adds them
// to it) and returns the new manifest's digest.
func (s *Service) ArtifactAdd(name string, files []string, opts ArtifactAddOptions) (digest.Digest, error) {
	if name == "" {
		return "", argErr("artifact name cannot be empty")
	}
	if opts.FileType == "" {
		if err := canDetectContentType(); err != nil {
			return "", err
		}
	}
	name = ArtifactName(name)
	if opts.Append && opts.Type != "" {
		return "", argErr("append option is not compatible with type option")
	}
	if _, ok := opts.Annotations[v1.AnnotationTitle]; ok {
		return "", argErr("cannot override filename with %s annotation", v1.AnnotationTitle)
	}
	unlock, err := s.lockArtifacts()
	if err != nil {
		return "", err
	}
	defer unlock()
	idx, err := s.readArtifactIndex()
	if err != nil {
		return "", err
	}
	list, err := s.loadArtifacts(idx)
	if err != nil {
		return "", err
	}
	var m v1.Manifest
	titles := map[string]bool{}
	old := findByName(list, name)
	switch {
	case old != nil && !opts.Append:
		return "", errdefs.New(errdefs.ErrConflict, name+": artifact already exists")
	case old == nil && opts.Append:
		return "", errdefs.New(errdefs.ErrNotFound, "no artifact found with name or digest of "+name)
	case old != nil:
		m = *old.Manifest
		m.Layers = slices.Clone(m.Layers)
		for _, l := range m.Layers {
			titles[l.Annotations[v1.AnnotationTitle]] = true
		}
	default:
		m = v1.Manifest{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: v1.MediaTypeImageManifest,
			ArtifactType: opts.Type, Config: v1.DescriptorEmptyJSON, Layers: []v1.Descriptor{},
			Annotations: map[string]string{v1.AnnotationCreated: time.Now().UTC().Format(time.RFC3339Nano)}}
	}
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			return "", err
		}
		if !st.Mode().IsRegular() {
			return "", argErr("%s is not a regular file", f)
		}
		t := filepath.Base(f)
		if titles[t] {
			return "", argErr("%s: file already exists in artifact", t)
		}
		titles[t] = true
	}
	for _, f := range files {
		desc, err := s.putArtifactFile(f, opts.FileType)
		if err != nil {
			s.pruneArtifactBlobs(idx) // the files stored before this one
			return "", err
		}
		desc.Annotations = maps.Clone(opts.Annotations)
		if desc.Annotations == nil {
			desc.Annotations = map[string]string{}
		}
		desc.Annotations[v1.AnnotationTitle] = filepath.Base(f)
		m.Layers = append(m.Layers, desc)
	}
	if err := s.putArtifactBytes(v1.DescriptorEmptyJSON.Data); err != nil {
		return "", err
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	d := digest.FromBytes(raw)
	if err := s.putArtifactBytes(raw); err != nil {
		return "", err
	}
	idx.Manifests = slices.DeleteFunc(idx.Manifests, func(x v1.Descriptor) bool { return x.Annotations[v1.AnnotationRefName] == name })
	idx.Manifests = append(idx.Manifests, v1.Descriptor{MediaType: v1.MediaTypeImageManifest, Digest: d, Size: int64(len(raw)),
		ArtifactType: m.ArtifactType, Annotations: map[string]string{v1.AnnotationRefName: name}})
	if err := s.writeArtifactIndex(idx); err != nil {
		return "", err
	}
	s.pruneArtifactBlobs(idx)
	return d, nil
}

func findByName(list []*Artifact, name string) *Artifact {
	for _, a := range list {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// putArtifactFile copies a file into the blob store and describes it; the
// media type is fileType or, as podman does, detected from its first bytes.
func (s *Service) putArtifactFile(path, fileType string) (v1.Descriptor, error) {
	in, err := os.Open(path)
	if err != nil {
		return v1.Descriptor{}, err
	}
	defer in.Close()
	if st, err := in.Stat(); err != nil {
		return v1.Descriptor{}, err
	} else if !st.Mode().IsRegular() {
		return v1.Descriptor{}, argErr("%s is not a regular file", path)
	}
	tmp, err := os.CreateTemp(filepath.Join(s.artifactDir(), v1.ImageBlobsDir), ".add-*")
	if err != nil {
		return v1.Descriptor{}, err
	}
	defer os.Remove(tmp.Name())
	head := make([]byte, 512)
	n, _ := io.ReadFull(in, head)
	if fileType == "" {
		fileType = detectContentType(head[:n])
	}
	dg := digest.Canonical.Digester()
	size, err := io.Copy(io.MultiWriter(tmp, dg.Hash()), io.MultiReader(strings.NewReader(string(head[:n])), in))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return v1.Descriptor{}, fmt.Errorf("storing %s: %w", path, err)
	}
	d := dg.Digest()
	if err := os.Rename(tmp.Name(), s.blobPath(d)); err != nil {
		return v1.Descriptor{}, err
	}
	return v1.Descriptor{MediaType: fileType, Digest: d, Size: size}, nil
}

func (s *Service) putArtifactBytes(b []byte) error {
	p := s.blobPath(digest.FromBytes(b))
	if _, err := os.Stat(p); err == nil {
		return nil
	}
	return os.WriteFile(p, b, 0o644)
}

// ArtifactRemove deletes the artifact nameOrDigest names, or with all every
// one, and returns their digests.
func (s *Service) ArtifactRemove(nameOrDigest string, all bool) ([]digest.Digest, error) {
	unlock, err := s.lockArtifacts()
	if err != nil {
		return nil, err
	}
	defer unlock()
	idx, err := s.readArtifactIndex()
	if err != nil {
		return nil, err
	}
	list, err := s.loadArtifacts(idx)
	if err != nil {
		return nil, err
	}
	doomed := list
	if !all {
		a, err := findArtifact(list, nameOrDigest)
		if err != nil {
			return nil, err
		}
		doomed = []*Artifact{a}
	}
	var out []digest.Digest
	for _, a := range doomed {
		idx.Manifests = slices.DeleteFunc(idx.Manifests, func(x v1.Descriptor) bool { return x.Annotations[v1.AnnotationRefName] == a.Name })
		out = append(out, digest.Digest(a.Digest))
	}
	if err := s.writeArtifactIndex(idx); err != nil {
		return nil, err
	}
	s.pruneArtifactBlobs(idx)
	return out, nil
}

// pruneArtifactBlobs deletes the blobs no manifest of idx refers to.
// Preconditions: the artifact lock is held.
func (s *Service) pruneArtifactBlobs(idx *v1.Index) {
	keep := map[digest.Digest]bool{}
	for _, d := range idx.Manifests {
		keep[d.Digest] = true
		b, err := os.ReadFile(s.blobPath(d.Digest))
		if err != nil {
			return // be safe: keep everything when the store is odd
		}
		var m v1.Manifest
		if json.Unmarshal(b, &m) != nil {
			return
		}
		keep[m.Config.Digest] = true
		for _, l := range m.Layers {
			keep[l.Digest] = true
		}
	}
	dir := filepath.Join(s.artifactDir(), v1.ImageBlobsDir, "sha256")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !keep[digest.NewDigestFromEncoded(digest.SHA256, e.Name())] {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
