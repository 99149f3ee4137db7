// Package archtest holds a test that enforces the dependency arrows of
// STYLE.md ("arrows only point down") with `go list`, so a layering mistake
// fails CI instead of living on as a rule nobody remembers.
package archtest
