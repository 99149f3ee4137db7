// Package errdefs defines error categories. Sentinel errors in engine/define
// wrap one of these so that each boundary (CLI exit codes, HTTP status) maps
// errors in one place with errors.Is instead of matching messages.
package errdefs

import "errors"

// Categories. Compare with errors.Is.
var (
	ErrNotFound        = errors.New("not found")
	ErrConflict        = errors.New("conflict")
	ErrInvalidArgument = errors.New("invalid argument")
	ErrNotModified     = errors.New("not modified")
	ErrUnavailable     = errors.New("unavailable")
	ErrNotImplemented  = errors.New("not implemented")
	// ErrUnauthorized is credentials a registry refused (docker's 401).
	ErrUnauthorized = errors.New("unauthorized")
)

// categorized is an error that belongs to a category and still prints only
// its own message.
type categorized struct {
	msg string
	cat error
}

func (e *categorized) Error() string { return e.msg }
func (e *categorized) Unwrap() error { return e.cat }

// New returns an error with message msg in category cat.
func New(cat error, msg string) error { return &categorized{msg: msg, cat: cat} }

// IsNotFound reports whether err is in the not-found category.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// IsConflict reports whether err is in the conflict category.
func IsConflict(err error) bool { return errors.Is(err, ErrConflict) }

// IsInvalidArgument reports whether err is in the invalid-argument category.
func IsInvalidArgument(err error) bool { return errors.Is(err, ErrInvalidArgument) }
