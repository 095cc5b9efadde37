// Package schema validates TileDocument content against a JSON schema exactly as js-ceramic
// 3.4.1 does. When a tile's metadata names a schema (a CommitID of another TileDocument),
// js-ceramic loads that document and validates the new content with Ajv 8 configured as
//
//	new Ajv({allErrors: true, strictTypes: false, strictTuples: false}) + ajv-formats
//
// that is: JSON Schema draft-07, every error reported, strict mode for everything else,
// and the ajv-formats 2.1.1 formats (including formatMaximum, formatMinimum,
// formatExclusiveMaximum and formatExclusiveMinimum). A failure rejects the commit with the
// message "Validation Error: " followed by Ajv's errorsText, which this package reproduces
// word for word so that clients matching on it keep working.
//
// # Usage
//
//	cache := schema.NewCache(schema.DefaultCacheSize)
//	s, err := cache.Get(schemaCommitID, func() (any, error) {
//		return loadTileContent(ctx, schemaCommitID) // the schema document
//	})
//	if err != nil {
//		return err // errors.Is(err, schema.ErrInvalidSchema), load errors as returned
//	}
//	if err := s.Validate(content); err != nil {
//		return err // "Validation Error: data/foo must be string, …"; errors.Is(err, schema.ErrInvalid)
//	}
//
// [Compile] and [*Schema.Validate] can also be used without a cache. Compiled schemas are
// immutable and safe for concurrent use, as is [Cache].
//
// # What is reproduced
//
//   - Ajv's evaluation order and messages: a type mismatch first (or within the keyword
//     group of a single type that has keywords), then $ref, const, enum, not, anyOf, oneOf,
//     allOf, if/then/else, then the number, string, array and object keyword groups; branch
//     errors are kept or dropped the way Ajv keeps or resets them; one error per missing
//     required member, per additional member and per invalid member name.
//   - Compile-time refusals, with Ajv's messages: the draft-07 metaschema ("schema is
//     invalid: …"), unknown keywords, unknown formats, "if" without "then"/"else" (and the
//     reverse), "additionalItems" without an "items" array, "properties" members matching a
//     "patternProperties" pattern, "nullable" without "type", the "id" keyword, $schema other
//     than draft-07, invalid regular expressions (V8's wording), unresolvable references.
//     Only schemas Ajv actually compiles are checked (an unused definition is not).
//   - Ajv's JavaScript-isms: members inherited from Object.prototype count as present for
//     required and dependencies, and properties validates them ({"properties":
//     {"toString": {"type": "string"}}} rejects {}); multipleOf divides in floating point
//     and compares with parseInt of the quotient (0.3 is not a multiple of 0.1); uniqueItems
//     reports the index pair Ajv reports, and never notices a repeated "__proto__" among
//     strings when the item type is "string"; "nullable": true adds "null" to "type"; an
//     object member valueOf or toString compared by const, enum or uniqueItems throws, and
//     a $ref loop overflows the stack ([ErrEvaluation]); a root "$async": true schema never
//     fails, because js-ceramic takes the promise Ajv returns for success.
//   - The formats of ajv-formats' "full" mode, including their leniencies (date-time does
//     not require a time zone, byte accepts any string with a base64 line, url rejects
//     private IPv4 addresses, uri-reference admits '"').
//   - References: JSON pointers, "$id"-based resources and "#name" anchors inside the
//     schema, and the draft-07 metaschema itself. Anything else fails with [ErrRemoteRef]
//     ("can't resolve reference … from id …"); nothing is ever fetched.
//   - [Cache] reproduces js-ceramic's per-schema Ajv instances, including the failure of
//     every use after the first of a schema with a root "$id" (see [Cache]).
//
// # Differences from Ajv that remain
//
//   - Member order. Go maps do not keep it, so members of "properties",
//     "patternProperties" and "dependencies" are evaluated in sorted order, and data
//     members in JavaScript's for…in order for integer-like names followed by the others
//     sorted (JavaScript uses insertion order for those). The set of errors is the same;
//     their order in the message can differ when several members fail, as can which
//     unknown keyword a strict-mode error names.
//   - Regular expressions are translated to Go's RE2. Patterns using lookahead,
//     lookbehind, backreferences, repetition counts above 1000 or Script_Extensions are
//     valid for Ajv but fail to compile here (ErrInvalidSchema). V8's syntax-error wording
//     is reproduced for the common errors only. The "regex" format checks syntax with this
//     package's parser of the web-compatibility (Annex B) grammar.
//   - The metaschema check uses santhosh-tekuri/jsonschema's copy of draft-07; its errors
//     are mapped to Ajv's wording and ordered by the metaschema's member order, which can
//     differ from Ajv in rare multi-error cases.
//   - $id and $ref are resolved with net/url rather than uri-js, so URIs differing only in
//     normalisation (case of scheme or host, percent-encoding) may resolve differently.
//   - A $ref loop is cut after 4000 nested evaluations; V8's limit depends on its stack.
//   - Integers beyond ±(2^53-1) are BigInts, as js-ceramic's dag-cbor decoder makes them:
//     Ajv treats them as no JSON type at all, and so does this package.
//   - formatMaximum & co compare date strings by bytes rather than UTF-16 code units,
//     which differs only for characters outside the Basic Multilingual Plane.
//   - The error schema path in `unknown format … ignored in schema at path …` follows
//     Ajv's inlining of referenced schemas approximately.
package schema
