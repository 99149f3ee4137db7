package service

import (
	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
)

// InspectImage builds the inspect document of an image.
func InspectImage(rt *engine.Runtime, img *define.Image) (*define.InspectImageData, error) {
	created := img.Created
	d := &define.InspectImageData{
		ID:           img.ID,
		Digest:       img.Digest,
		RepoTags:     nonNilStrings(img.Names),
		RepoDigests:  nonNilStrings(img.Digests),
		Parent:       img.Parent,
		Comment:      img.Comment,
		Created:      &created,
		Config:       &img.Config,
		Author:       img.Author,
		Architecture: img.Arch,
		Os:           img.Os,
		Size:         img.Size,
		VirtualSize:  img.Size,
		RootFS:       define.ImageRootFS{Type: "layers", Layers: nonNilStrings(img.Layers)},
		Labels:       img.Config.Labels,
		Annotations:  map[string]string{},
		ManifestType: img.ManifestType,
		User:         img.Config.User,
		History:      img.History,
		Healthcheck:  img.Healthcheck,
		NamesHistory: nonNilStrings(img.Names),
	}
	if images, err := rt.Images(); err == nil {
		d.Annotations = images.ManifestAnnotations(img.ID)
	}
	if store, err := rt.Storage(); err == nil {
		d.GraphDriver = define.DriverData{Name: store.GraphDriverName(), Data: store.ImageLayerData(img.TopLayer)}
	}
	return d, nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
