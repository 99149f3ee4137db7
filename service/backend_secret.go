package service

// SecretCreate stores a secret (libpod /secrets/create).
func (b *Backend) SecretCreate(name string, data []byte, o SecretCreateOptions) (string, error) {
	return SecretCreate(b.rt, name, data, o)
}

// SecretList lists the secrets the filters select.
func (b *Backend) SecretList(filters []string) ([]SecretInfo, error) {
	return SecretList(b.rt, filters)
}

// SecretInspect returns one secret (with its data when show is set).
func (b *Backend) SecretInspect(name string, show bool) (*SecretInfo, error) {
	return SecretInspect(b.rt, name, show)
}

// SecretRemove removes a secret.
func (b *Backend) SecretRemove(name string) (string, error) { return SecretRemove(b.rt, name) }
