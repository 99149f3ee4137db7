// Package lock provides per-object locks that hold across processes: every
// CLI invocation is its own process, so an in-process mutex is not enough.
package lock

// Locker is one object's lock.
type Locker interface {
	Lock() error
	Unlock() error
	// TryLock takes the lock if it is free and reports whether it did.
	TryLock() (bool, error)
}

// Manager hands out locks by object ID.
type Manager interface {
	// Retrieve returns the lock for id, creating it if needed.
	Retrieve(id string) (Locker, error)
	// Free deletes the lock of a removed object.
	Free(id string) error
}
