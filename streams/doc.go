// Package streams is the stream engine: stream state, per-type handlers that apply commits,
// log application with fork choice, and the service that creates, updates, loads and pins
// streams.
//
// The engine is pure with respect to I/O: it declares what it needs from outside (a block
// store, a state store, a publisher) as small interfaces that the node supplies.
package streams
