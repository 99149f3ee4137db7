// Package service holds berth's use cases, one function per verb, shared
// by the CLI and the REST API: name/ID resolution, batching over several
// containers, and reports. It is the only caller of spec/generate.
package service
