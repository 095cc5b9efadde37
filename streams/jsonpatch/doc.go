// Package jsonpatch applies and builds JSON patches (RFC 6902) exactly the way js-ceramic
// 3.4.1 does: TileDocument and ModelInstanceDocument data commits carry a patch that
// js-ceramic applies with fast-json-patch 3.1.1 as
//
//	jsonpatch.applyPatch(oldContent, payload.data).newDocument
//
// that is without operation validation, mutating oldContent in place, with prototype
// modifications banned. That function is far more lenient than RFC 6902 and has many odd
// corners; because every node must compute the same content from the same commits, this
// package reproduces them instead of implementing the RFC.
//
// # Usage
//
//	content, err := jsonpatch.Apply(state.Content, ops) // ops: the commit's data array
//	if err != nil {
//		return err // errors.Is(err, jsonpatch.ErrTestFailed), …
//	}
//
//	ops := jsonpatch.Diff(oldContent, newContent) // data of an update commit
//
// Values are plain decoded JSON: map[string]any, []any, string, bool, nil and numbers as
// float64, int64 or json.Number (other Go integer and float types are accepted as input).
// Apply never modifies its arguments and returns fresh values; Number types are preserved.
// All functions are safe for concurrent use.
//
// [ApplyDetailed] takes the commit's data member as any JSON value and also reports two
// outcomes js-ceramic can observe and [Apply] folds into errors: a patch that leaves the
// document undefined ([Result.Undefined]), and the partially patched input after a failure
// ([Result.Mutated]).
//
// # Behaviour kept for compatibility
//
// Paths:
//   - "" addresses the root. A path without a leading "/" loses its first segment ("a/b"
//     is "/b"); a path with no "/" at all, or a missing, null, false or 0 path, addresses the
//     member named "undefined" of an object (and fails on an array). Any other non-string
//     path fails.
//   - "~1" and "~0" are unescaped, in that order. A segment "__proto__", or "prototype"
//     after "constructor", fails with [ErrPrototype], in path and from alike.
//   - Walking through a missing or null member fails with [ErrUnresolvable]. Walking
//     through a string, number or boolean reads its JavaScript properties ("length",
//     characters as UTF-16 code units, inherited method names).
//
// Arrays (after the walk reaches an array):
//   - "-" is the length. Digit-only segments are converted with JavaScript's ~~ (signed
//     32-bit): "01" is 1, "" is 0, "4294967295" is -1. Other segments stay names.
//   - add splices: an index past the end appends, a negative index (from the 32-bit wrap)
//     counts from the end. add or replace with a name sets an invisible non-index property,
//     except "length", which truncates or extends the array (extension adds null elements;
//     invalid lengths fail with [ErrArrayLength]).
//   - remove splices with the segment converted by ToNumber: "foo" and "length" remove the
//     first element, "-1" the last, "-" and indices past the end nothing.
//   - replace past the end grows the array with holes, which read as undefined and come
//     out as null.
//
// Objects and operations:
//   - add and replace set a missing member; remove of a missing member does nothing.
//   - add, replace or test without "value" use undefined: the member exists but is dropped
//     from the result (null inside arrays), and a test without "value" passes on a missing
//     member.
//   - test compares with fast-deep-equal semantics: JavaScript numbers (int64 1, float64 1.0
//     and json.Number "1.0" are equal), member order irrelevant, arrays by index.
//   - move reads the target first, then removes from "from" and adds at "path"; moving a
//     missing member adds undefined. move or copy to "" replaces the root with the value at
//     "from" (nothing is removed). copy goes through JSON.stringify: copying a missing member
//     adds null, undefined members vanish, -0 becomes 0.
//   - from is compared loosely with "": "", 0, false and [] mean the whole document.
//   - An operation on "" with an unknown op is ignored; elsewhere it fails with
//     [ErrUnknownOp]. The op is looked up as a JavaScript property name, so ["add"] works
//     as "add", "_get" is a no-op, and names inherited from Object.prototype do what those
//     functions do: "toString", "hasOwnProperty", "isPrototypeOf" and
//     "propertyIsEnumerable" make the document undefined, "valueOf" makes it the
//     operation's own "newDocument" member, "constructor" the "newDocument" member of the
//     addressed container, and the remaining ones fail.
//   - remove on "" makes the document null.
//   - A patch that is an object is array-like: its numbered members are applied while
//     they are below its "length" member; numbers and booleans are empty patches, null
//     fails, a non-empty string fails.
//
// # Differences that remain
//
//   - Values that JSON cannot hold live only while one patch is applied and are normalised
//     in the result the way JSON.stringify would: undefined members are dropped, holes and
//     undefined elements become null, invisible array properties are dropped. js-ceramic
//     keeps them in memory until it serialises the state, so a later commit's test
//     operation can see them there.
//   - Properties of inherited methods other than "name" read as undefined.
//   - A move from "" into the document itself fails with [ErrCycle]; fast-json-patch builds
//     a self-referencing document that js-ceramic cannot serialise.
//   - Arrays grown through holes beyond 1,048,576 elements, and patches that copy or grow
//     more than 4,194,304 values in total, fail with [ErrArrayLength] and [ErrTooLarge];
//     js-ceramic would try to allocate them.
//   - An int64 beyond ±(2^53-1) stands for a JavaScript BigInt (what js-ceramic's dag-cbor
//     decoder yields): it never equals a Number, and copying an object containing one
//     fails, as JSON.stringify throws on BigInt.
//   - Error messages are this package's own; the sentinels tell the error classes apart.
//
// # What the caller must reproduce
//
// js-ceramic stores the result as the pending content, reads it back with
// `next?.content ?? content` and, when an anchor arrives, promotes it only if it is truthy.
// A null or undefined result therefore shows (and is patched by the next commit as) the last
// anchored content at once; false, 0 or "" is shown until the anchor and then dropped. When
// a commit fails, js-ceramic keeps the state built so far, including the failed commit's
// effect on the pending content object ([Result.Mutated]) when there was pending content.
package jsonpatch
