package schema

import (
	"errors"
	"strings"
)

// Sentinel errors, for errors.Is.
var (
	// ErrInvalid: the content does not satisfy the schema. The error is a
	// [*ValidationError] whose message is js-ceramic's "Validation Error: …".
	ErrInvalid = errors.New("schema: content does not match the schema")

	// ErrInvalidSchema: the schema document cannot be compiled (not a valid draft-07 schema,
	// rejected by Ajv's strict mode, an unknown format, an unresolvable reference, …). The
	// error is an [*Error] carrying Ajv's message.
	ErrInvalidSchema = errors.New("schema: invalid schema")

	// ErrRemoteRef: the schema refers to a document other than itself. Nothing is ever
	// fetched; such schemas fail to compile (and also match [ErrInvalidSchema]).
	ErrRemoteRef = errors.New("schema: remote reference refused")

	// ErrEvaluation: validation was aborted by what is an exception in JavaScript
	// (infinite $ref recursion, an object member valueOf or toString compared by const,
	// enum or uniqueItems). js-ceramic rejects the commit with that exception's message.
	ErrEvaluation = errors.New("schema: validation aborted")
)

// Detail is one failed check, as Ajv reports it.
type Detail struct {
	// InstancePath is the JSON pointer of the failing value; "" is the content itself.
	InstancePath string
	// Message is Ajv's message, such as "must be string".
	Message string
}

// ValidationError lists why content failed validation. Its message is exactly the one
// js-ceramic 3.4.1 puts in the error (and so in the HTTP API's {"error": …} body):
//
//	Validation Error: data/foo must be string, data must have required property 'bar'
//
// It matches [ErrInvalid] with errors.Is.
type ValidationError struct {
	Details []Detail
}

// Error implements error.
func (e *ValidationError) Error() string {
	if len(e.Details) == 0 {
		return "Validation Error: No errors"
	}
	var sb strings.Builder
	sb.WriteString("Validation Error: ")
	for i, d := range e.Details {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("data")
		sb.WriteString(d.InstancePath)
		sb.WriteByte(' ')
		sb.WriteString(d.Message)
	}
	return sb.String()
}

// Is reports whether target is ErrInvalid.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Error is a schema failure other than invalid content: its Message is the text Ajv throws
// (for example `strict mode: unknown keyword: "foo"` or `can't resolve reference x.json from
// id #`), and Err is one of the sentinels.
type Error struct {
	Message string
	Err     error
}

// Error returns Ajv's message.
func (e *Error) Error() string { return e.Message }

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }

// Is makes remote-reference errors match ErrInvalidSchema as well.
func (e *Error) Is(target error) bool {
	return target == e.Err || (target == ErrInvalidSchema && e.Err == ErrRemoteRef)
}

func schemaError(msg string) error { return &Error{Message: msg, Err: ErrInvalidSchema} }
