// Package mem is an in-memory [statestore.Store], for tests and for programs
// that embed the node without persisting pins.
//
// Importing the package registers the "mem" type, so a config can select it:
//
//	import _ "github.com/goceramic/ceramic/statestore/mem"
//
//	stores, err := statestore.Open(ctx, statestore.Config{Type: "mem", Network: "inmemory"})
//
// Or build one directly with [New]. Every Open returns new, empty stores;
// contents are lost on Close.
package mem
