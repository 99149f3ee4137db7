// Package engine is berth's libpod: the Runtime and the Container, Pod,
// Volume and Network handles, their lifecycle state machine and locking.
//
// Lock order: the runtime-wide refresh lock before anything; a pod's lock
// before its containers'; a container's lock before its exec sessions'
// and before a volume's (init prepares the container's volumes one at a
// time under its lock; no volume operation takes a container's lock while
// holding its own: volume rm -f removes the users before locking the
// volume). Never hold the locks of two sibling containers at once. Exported methods
// take the object's lock, sync its state from the database and the exit
// files, then call an unexported method that assumes the lock is held.
// Listing reads a snapshot from the database without taking locks.
package engine
