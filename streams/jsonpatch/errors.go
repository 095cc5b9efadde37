package jsonpatch

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by [Apply] and [ApplyDetailed] matches one of them
// with [errors.Is]; most are wrapped in an [*OpError] that says which operation failed.
var (
	// ErrTestFailed: a "test" operation compared unequal (fast-json-patch's
	// TEST_OPERATION_FAILED).
	ErrTestFailed = errors.New("jsonpatch: test operation failed")

	// ErrPrototype: a path or from pointer walks through "__proto__" or
	// "constructor/prototype", which fast-json-patch refuses.
	ErrPrototype = errors.New("jsonpatch: modifying __proto__ or constructor/prototype is banned")

	// ErrUnresolvable: an operation reads or writes a property of null or undefined, which
	// happens when a path goes through a missing or null member.
	ErrUnresolvable = errors.New("jsonpatch: path cannot be resolved")

	// ErrUnknownOp: the "op" member names no operation.
	ErrUnknownOp = errors.New("jsonpatch: unknown operation")

	// ErrInvalidOperation: the operation is malformed in a way JavaScript rejects with a
	// TypeError (an operation that is not an object, a path that is neither a string nor
	// falsy, a value that cannot be converted, …).
	ErrInvalidOperation = errors.New("jsonpatch: invalid operation")

	// ErrArrayLength: an operation sets an invalid array length (JavaScript's RangeError), or
	// would grow an array past the size this package allocates.
	ErrArrayLength = errors.New("jsonpatch: invalid array length")

	// ErrTooLarge: the patch copies or grows so much that the document would exceed the
	// amount of work this package allows for one patch (see the package documentation).
	ErrTooLarge = errors.New("jsonpatch: patch makes the document too large")

	// ErrCycle: a move from the root into the document itself. fast-json-patch builds a
	// self-referencing document that js-ceramic cannot serialise; this package refuses it.
	ErrCycle = errors.New("jsonpatch: operation would make the document contain itself")

	// ErrUndefinedResult: the patch left the document undefined (for example
	// {"op":"add","path":""} without a value). fast-json-patch does not throw in this case;
	// see [Result.Undefined].
	ErrUndefinedResult = errors.New("jsonpatch: patch leaves the document undefined")

	// ErrUnsupportedValue: the document or patch holds a Go value that is not a JSON value,
	// or a value JSON cannot represent where a copy is made (a BigInt).
	ErrUnsupportedValue = errors.New("jsonpatch: unsupported value")
)

// OpError is the error for a failed operation: which operation of the patch failed and why.
// Unwrap gives the sentinel.
type OpError struct {
	// Index is the position of the operation in the patch.
	Index int
	// Err is the underlying error; errors.Is(err, ErrTestFailed) and friends see through it.
	Err error
}

// Error implements error.
func (e *OpError) Error() string {
	var je *jsError
	if errors.As(e.Err, &je) {
		return fmt.Sprintf("%s (operation %d: %s)", je.kind.Error(), e.Index, je.msg)
	}
	return fmt.Sprintf("%s (operation %d)", e.Err.Error(), e.Index)
}

// Unwrap returns the underlying error.
func (e *OpError) Unwrap() error { return e.Err }
