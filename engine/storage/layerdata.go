package storage

// LayerData returns the overlay directories of a container's layer
// (LowerDir, UpperDir, WorkDir, MergedDir) for inspect's GraphDriver.Data;
// nil when the driver does not report them.
func (s *Store) LayerData(containerID string) map[string]string {
	c, err := s.store.Container(containerID)
	if err != nil {
		return nil
	}
	return s.layerData(c.LayerID)
}

// ImageLayerData is LayerData for an image's top layer.
func (s *Store) ImageLayerData(layerID string) map[string]string {
	if layerID == "" {
		return nil
	}
	return s.layerData(layerID)
}

func (s *Store) layerData(layerID string) map[string]string {
	d, err := s.store.GraphDriver()
	if err != nil {
		return nil
	}
	md, err := d.Metadata(layerID)
	if err != nil {
		return nil
	}
	return md
}

// Rename gives a storage container a new name (its only one).
func (s *Store) Rename(id, name string) error {
	if err := s.store.SetNames(id, []string{name}); err != nil {
		return ctrErr(id, err)
	}
	return nil
}
