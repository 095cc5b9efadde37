// Package integration holds the multi-process tests: they build the ceramic binary and run
// real daemons on loopback. Run them with `make test-integration` (build tag "integration").
package integration
