package api

import (
	"slices"
	"strings"

	"github.com/moby/moby/api/types/jsonstream"
)

// blobProgress turns the image copy's report lines into docker's per-layer
// progress words. The copy reports a blob once when it starts ("Copying
// blob sha256:abc", or "... skipped: already exists") and the manifest
// once every blob is done ("Writing manifest to image destination"), so
// each layer gets docker's first word when it starts and its last when
// the manifest is written. The config blob and the signature lines, which
// docker does not show, are dropped.
type blobProgress struct {
	push bool
	// pending are the short IDs of layers started and not yet reported done.
	pending []string
}

// line returns the messages for one report line.
func (b *blobProgress) line(line string) []message {
	f := strings.Fields(line)
	switch {
	case len(f) >= 3 && f[0] == "Copying" && f[1] == "blob":
		id := strings.TrimPrefix(f[2], "sha256:")
		if len(id) > 12 {
			id = id[:12]
		}
		if strings.Contains(line, "skipped") {
			status := "Already exists"
			if b.push {
				status = "Layer already exists"
			}
			return []message{{Message: jsonstream.Message{Status: status, ID: id}}}
		}
		if slices.Contains(b.pending, id) {
			return nil
		}
		b.pending = append(b.pending, id)
		status := "Pulling fs layer"
		if b.push {
			status = "Preparing"
		}
		return []message{{Message: jsonstream.Message{Status: status, ID: id}}}
	case strings.HasPrefix(line, "Writing manifest"):
		var out []message
		for _, id := range b.pending {
			if b.push {
				out = append(out, message{Message: jsonstream.Message{Status: "Pushed", ID: id}})
			} else {
				out = append(out, message{Message: jsonstream.Message{Status: "Download complete", ID: id}},
					message{Message: jsonstream.Message{Status: "Pull complete", ID: id}})
			}
		}
		b.pending = nil
		return out
	}
	return nil
}

// repoPath is a repository name without its registry, as docker's
// "Pulling from" shows it (127.0.0.1:5000/busybox: busybox).
func repoPath(repo string) string {
	first, rest, ok := strings.Cut(repo, "/")
	if ok && (strings.ContainsAny(first, ".:") || first == "localhost") {
		return rest
	}
	return repo
}
