package streamid

import (
	"fmt"
	"strconv"
)

// Type is a Ceramic stream type code, as carried in StreamIDs and in the HTTP API's "type"
// field. The registered codes are the constants below; other values can appear in parsed
// identifiers but have no name.
type Type uint64

// The stream types registered in js-ceramic 3.x.
const (
	// Tile is a TileDocument stream ("tile").
	Tile Type = 0
	// Caip10Link is a Caip10Link stream ("caip10-link").
	Caip10Link Type = 1
	// Model is a ComposeDB Model stream ("model").
	Model Type = 2
	// MID is a ModelInstanceDocument stream ("MID", upper case).
	MID Type = 3
	// Unloadable marks identifiers that name no loadable stream ("UNLOADABLE"); it is used
	// only by [MetaModel].
	Unloadable Type = 4
)

var typeNames = [...]string{
	Tile:       "tile",
	Caip10Link: "caip10-link",
	Model:      "model",
	MID:        "MID",
	Unloadable: "UNLOADABLE",
}

// Name returns the registered name of t ("tile", "caip10-link", "model", "MID",
// "UNLOADABLE"), which is what the HTTP API sends as "doctype". It returns "" for an
// unregistered code; use [Type.Registered] to tell.
func (t Type) Name() string {
	if !t.Registered() {
		return ""
	}
	return typeNames[t]
}

// Registered reports whether t is one of the registered stream types.
func (t Type) Registered() bool {
	return t < Type(len(typeNames))
}

// String returns the registered name of t, or "Type(<code>)" for an unregistered code.
func (t Type) String() string {
	if t.Registered() {
		return typeNames[t]
	}
	return "Type(" + strconv.FormatUint(uint64(t), 10) + ")"
}

// TypeByName returns the type registered under name. Names are case-sensitive ("MID" and
// "UNLOADABLE" are upper case, the others lower case). An unknown name gives an error
// wrapping [ErrUnknownType].
func TypeByName(name string) (Type, error) {
	for i, n := range typeNames {
		if n == name {
			return Type(i), nil
		}
	}
	return 0, fmt.Errorf("%w: %q is not the name of a registered stream type", ErrUnknownType, name)
}
